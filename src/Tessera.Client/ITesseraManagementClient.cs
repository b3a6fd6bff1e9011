using Tessera.Contracts;

namespace Tessera.Client;

/// <summary>
/// The management API as an interface, so code that uses it can be tested with a fake or a mock; <see cref="TesseraManagementClient"/>
/// is the implementation. Method shapes follow one convention (see the README's SDK section): the id of the object acted on first,
/// then the request record the API takes as its body (creates also have a positional shorthand for their few fields), then
/// <c>ifMatch</c> where the call can be conditional, then the <see cref="CancellationToken"/>. Lists are
/// <see cref="IAsyncEnumerable{T}"/> over every page, with a one-page form where a caller may keep the cursor.
/// </summary>
public interface ITesseraManagementClient : IDisposable
{
    /// <inheritdoc cref="TesseraManagementClient.GetUsageAsync(UsageFilter?, CancellationToken)"/>
    Task<IReadOnlyList<UsageBucketResponse>> GetUsageAsync(UsageFilter? filter = null, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.ExportTokensCsvAsync(TokenListFilter?, TextWriter, CancellationToken)"/>
    Task ExportTokensCsvAsync(TokenListFilter? filter, TextWriter destination, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.ImportTokensAsync(Stream, string, CancellationToken)"/>
    IAsyncEnumerable<ImportedToken> ImportTokensAsync(Stream csv, string idempotencyKey, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.ListMembersAsync(CancellationToken)"/>
    Task<IReadOnlyList<MemberResponse>> ListMembersAsync(CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.GetMemberAsync(string, CancellationToken)"/>
    Task<MemberResponse> GetMemberAsync(string memberId, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.UpdateMemberAsync(string, UpdateMemberRequest, CancellationToken)"/>
    Task<MemberResponse> UpdateMemberAsync(string memberId, UpdateMemberRequest request, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.RemoveMemberAsync(string, CancellationToken)"/>
    Task RemoveMemberAsync(string memberId, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.ListInvitationsAsync(CancellationToken)"/>
    Task<IReadOnlyList<InvitationResponse>> ListInvitationsAsync(CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.InviteAsync(CreateInvitationRequest, CancellationToken)"/>
    Task<CreatedInvitationResponse> InviteAsync(CreateInvitationRequest request, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.RevokeInvitationAsync(string, CancellationToken)"/>
    Task RevokeInvitationAsync(string invitationId, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.CreateWebhookAsync(string, IReadOnlyList{string}, string?, CancellationToken)"/>
    Task<CreatedWebhookResponse> CreateWebhookAsync(string url, IReadOnlyList<string> events, string? description = null, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.CreateWebhookAsync(CreateWebhookRequest, CancellationToken)"/>
    Task<CreatedWebhookResponse> CreateWebhookAsync(CreateWebhookRequest request, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.ListWebhooksAsync(CancellationToken)"/>
    IAsyncEnumerable<WebhookResponse> ListWebhooksAsync(CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.GetWebhookAsync(string, CancellationToken)"/>
    Task<WebhookResponse> GetWebhookAsync(string webhookId, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.UpdateWebhookAsync(string, UpdateWebhookRequest, long?, CancellationToken)"/>
    Task<WebhookResponse> UpdateWebhookAsync(string webhookId, UpdateWebhookRequest update, long? ifMatch = null, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.DeleteWebhookAsync(string, CancellationToken)"/>
    Task DeleteWebhookAsync(string webhookId, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.RotateWebhookSecretAsync(string, CancellationToken)"/>
    Task<CreatedWebhookResponse> RotateWebhookSecretAsync(string webhookId, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.TestWebhookAsync(string, CancellationToken)"/>
    Task<WebhookDeliveryResponse> TestWebhookAsync(string webhookId, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.ListWebhookDeliveriesAsync(string, CancellationToken)"/>
    IAsyncEnumerable<WebhookDeliveryResponse> ListWebhookDeliveriesAsync(string webhookId, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.RetryWebhookDeliveryAsync(string, string, CancellationToken)"/>
    Task<WebhookDeliveryResponse> RetryWebhookDeliveryAsync(string webhookId, string deliveryId, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.CreateModelAsync(string, CancellationToken)"/>
    Task<string> CreateModelAsync(string modelName, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.GenerateQueryTokenAsync(string?, string, CancellationToken)"/>
    Task<(string TokenId, string Token)> GenerateQueryTokenAsync(string? modelId, string tokenName, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.GetAccountAsync(CancellationToken)"/>
    Task<AccountResponse> GetAccountAsync(CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.ListLicenseKeysAsync(CancellationToken)"/>
    Task<IReadOnlyList<LicenseKeyResponse>> ListLicenseKeysAsync(CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.CreateLicenseKeyAsync(string, CancellationToken)"/>
    Task<CreatedLicenseKeyResponse> CreateLicenseKeyAsync(string name, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.CreateLicenseKeyAsync(CreateLicenseKeyRequest, CancellationToken)"/>
    Task<CreatedLicenseKeyResponse> CreateLicenseKeyAsync(CreateLicenseKeyRequest request, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.RevokeLicenseKeyAsync(string, CancellationToken)"/>
    Task RevokeLicenseKeyAsync(string licenseKeyId, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.CreateWorkloadAsync(string, string?, CancellationToken)"/>
    Task<WorkloadResponse> CreateWorkloadAsync(string name, string? description = null, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.CreateWorkloadAsync(CreateWorkloadRequest, CancellationToken)"/>
    Task<WorkloadResponse> CreateWorkloadAsync(CreateWorkloadRequest request, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.ListWorkloadsAsync(int, CancellationToken)"/>
    IAsyncEnumerable<WorkloadResponse> ListWorkloadsAsync(int pageSize = 100, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.GetWorkloadAsync(string, CancellationToken)"/>
    Task<WorkloadResponse> GetWorkloadAsync(string workloadId, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.UpdateWorkloadAsync(string, string?, string?, long?, CancellationToken)"/>
    [Obsolete("Every update takes its request record: UpdateWorkloadAsync(workloadId, new UpdateWorkloadRequest(Name: …, Description: …), ifMatch).")]
    Task<WorkloadResponse> UpdateWorkloadAsync(string workloadId, string? name = null, string? description = null, long? ifMatch = null, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.UpdateWorkloadAsync(string, UpdateWorkloadRequest, long?, CancellationToken)"/>
    Task<WorkloadResponse> UpdateWorkloadAsync(string workloadId, UpdateWorkloadRequest update, long? ifMatch = null, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.DeleteWorkloadAsync(string, CancellationToken)"/>
    Task DeleteWorkloadAsync(string workloadId, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.CreateTokenAsync(string, string?, string?, CancellationToken)"/>
    Task<CreatedTokenResponse> CreateTokenAsync(string name, string? workloadId = null, string? note = null, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.CreateTokenAsync(CreateTokenRequest, CancellationToken)"/>
    Task<CreatedTokenResponse> CreateTokenAsync(CreateTokenRequest request, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.ListTokensAsync(TokenListFilter?, CancellationToken)"/>
    IAsyncEnumerable<TokenResponse> ListTokensAsync(TokenListFilter? filter = null, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.ListTokenPageAsync(TokenListFilter?, string?, CancellationToken)"/>
    Task<PageResponse<TokenResponse>> ListTokenPageAsync(TokenListFilter? filter, string? cursor, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.GetTokenAsync(string, CancellationToken)"/>
    Task<TokenResponse> GetTokenAsync(string tokenId, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.UpdateTokenAsync(string, UpdateTokenRequest, long?, CancellationToken)"/>
    Task<TokenResponse> UpdateTokenAsync(string tokenId, UpdateTokenRequest update, long? ifMatch = null, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.AssignTokenAsync(string, string, CancellationToken)"/>
    Task<TokenResponse> AssignTokenAsync(string tokenId, string workloadId, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.UnassignTokenAsync(string, CancellationToken)"/>
    Task<TokenResponse> UnassignTokenAsync(string tokenId, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.CancelTokenAsync(string, CancellationToken)"/>
    Task<TokenResponse> CancelTokenAsync(string tokenId, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.ReactivateTokenAsync(string, CancellationToken)"/>
    Task<TokenResponse> ReactivateTokenAsync(string tokenId, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.SetTokenExpiryAsync(string, DateTimeOffset, CancellationToken)"/>
    Task<TokenResponse> SetTokenExpiryAsync(string tokenId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.RenewTokenAsync(string, long?, CancellationToken)"/>
    Task<TokenResponse> RenewTokenAsync(string tokenId, long? ifMatch = null, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.DeleteTokenAsync(string, long?, CancellationToken)"/>
    Task DeleteTokenAsync(string tokenId, long? ifMatch = null, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.ReportLeakAsync(string, string?, string?, CancellationToken)"/>
    Task<LeakReportResponse> ReportLeakAsync(string token, string? url = null, string? source = null, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.ListAuditAsync(AuditFilter?, CancellationToken)"/>
    IAsyncEnumerable<AuditEntryResponse> ListAuditAsync(AuditFilter? filter = null, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="TesseraManagementClient.ListAuditPageAsync(AuditFilter?, string?, CancellationToken)"/>
    Task<PageResponse<AuditEntryResponse>> ListAuditPageAsync(AuditFilter? filter, string? cursor, CancellationToken cancellationToken = default);
}
