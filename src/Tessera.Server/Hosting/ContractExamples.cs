using System.Text.Json;
using System.Text.Json.Nodes;
using Tessera.Contracts;
using Tessera.Core;
using static Tessera.Server.Lattica.LatticaSchemas;

namespace Tessera.Server.Hosting;

/// <summary>
/// One sample of each wire shape, for the examples of the API description (issue 19). They are instances of the
/// real contract types, serialized by the server's own JSON options, so an example cannot show a field the type
/// does not have or spell one differently. Ids, hints and secrets follow API.md §1–2 but are made up: no secret
/// here verifies anywhere.
/// </summary>
public static class ContractExamples
{
    private const string AccountId = "acct_0193a5b2c4d87e6f9a0b1c2d3e4f5a6b";
    private const string WorkloadId = "wl_0193a5b2d1e07c4a8b9c0d1e2f3a4b5c";
    private const string TokenId = "tok_0193a5b3f6a27d1e8c9b0a1f2e3d4c5b";
    private const string KeyId = "lic_0193a5b2c4e17f3a9b8c7d6e5f4a3b2c";
    private const string Cursor = "eyJ2IjoiMjAyNi0xMi0wMVQwOTozMDowMC4wMDBaIiwiaWQiOiJ0b2tfMDE5M2E1YjNmNmEyN2QxZSJ9";
    private const string QuerySecret = "tsq_ExampleOnly00000000000000000000000000000000000000";
    private const string InvitationSecret = "tsi_ExampleOnly00000000000000000000000000000000000000";
    private const string KeySecret = "tsl_ExampleOnly00000000000000000000000000000000000000";

    private static readonly DateTimeOffset Created = new(2026, 12, 1, 9, 30, 0, TimeSpan.Zero);

    private static readonly TokenResponse Token = new()
    {
        Id = TokenId,
        Name = "alice@example.com",
        Note = "Pilot cohort",
        WorkloadId = WorkloadId,
        Status = "active",
        State = "usable",
        CreatedAt = Created,
        UpdatedAt = Created,
        ExpiresAt = Created.AddDays(30),
        LastUsedAt = Created.AddHours(2),
        UseCount = 42,
        Hint = "tsq_…0000",
        Version = 1,
    };

    private static readonly WorkloadResponse Workload = new()
    {
        Id = WorkloadId,
        Name = "llama-3-70b",
        Description = "Chat model for the pilot",
        CreatedAt = Created,
        UpdatedAt = Created,
        TokenCount = 120,
        UsableTokenCount = 117,
        Version = 1,
    };

    private static readonly LicenseKeyResponse Key = new()
    {
        Id = KeyId,
        Name = "ci-issuer",
        Hint = "tsl_…0000",
        Status = "active",
        CreatedAt = Created,
        LastUsedAt = Created.AddMinutes(5),
        Scopes = ["tokens:read", "tokens:write"],
        WorkloadIds = [WorkloadId],
        ExpiresAt = Created.AddDays(90),
    };

    private static readonly AuditEntryResponse Audit = new()
    {
        Id = "aud_0193a5b3f6a37f0c9d8e7f6a5b4c3d2e",
        At = Created,
        ActorType = "license_key",
        ActorId = KeyId,
        Action = "token.updated",
        ObjectId = TokenId,
        Before = JsonSerializer.SerializeToElement(new { status = "active" }),
        After = JsonSerializer.SerializeToElement(new { status = "cancelled" }),
        ClientIp = "203.0.113.7",
    };

    private static readonly MemberResponse Member = new()
    {
        Id = "mem_0193a5b2c4f27a1b9c8d7e6f5a4b3c2d",
        Email = "dana@example.com",
        DisplayName = "Dana",
        Role = "developer",
        Scopes = ["tokens:write", "workloads:write", "audit:read", "usage:read"],
        WorkloadIds = null,
        HasPassword = true,
        CreatedAt = Created,
        UpdatedAt = Created,
        LastSignInAt = Created.AddHours(1),
    };

    private static readonly InvitationResponse Invitation = new()
    {
        Id = "inv_0193a5b2c4f37b2c8d9e0f1a2b3c4d5e",
        Email = "dana@example.com",
        DisplayName = "Dana",
        Role = "developer",
        WorkloadIds = null,
        Status = "pending",
        CreatedAt = Created,
        ExpiresAt = Created.AddDays(7),
    };

    private static readonly WebhookResponse Webhook = new()
    {
        Id = "wh_0193a5b2c5a17c3d9e8f7a6b5c4d3e2f",
        Url = "https://hooks.example.com/tessera",
        Events = ["token.created", "token.cancelled", "token.expiring"],
        Description = "Billing",
        Enabled = true,
        CreatedAt = Created,
        UpdatedAt = Created,
        Version = 1,
    };

    private static readonly WebhookDeliveryResponse Delivery = new("dlv_0193a5b3f6b17d2e9f0a1b2c3d4e5f6a", "evt_0193a5b3f6b07c1d8e9f0a1b2c3d4e5f",
        "token.cancelled", "succeeded", 1, 200, Created.AddMinutes(1), null);

    private static readonly LatticaModel Model = new(WorkloadId, "llama-3-70b", "Chat model for the pilot",
        Created.ToUnixTimeMilliseconds(), "ACTIVE", Created.ToUnixTimeMilliseconds());

    /// <summary>Request bodies: only the fields a caller would send (a JSON null in a merge patch clears a field).</summary>
    private static readonly Dictionary<Type, object> Requests = new()
    {
        [typeof(CreateTokenRequest)] = new CreateTokenRequest("alice@example.com", WorkloadId, "Pilot cohort"),
        [typeof(CreateWorkloadTokenRequest)] = new CreateWorkloadTokenRequest("alice@example.com", "Pilot cohort"),
        [typeof(UpdateTokenRequest)] = new UpdateTokenRequest(Status: "cancelled"),
        [typeof(CreateWorkloadRequest)] = new CreateWorkloadRequest("llama-3-70b", "Chat model for the pilot"),
        [typeof(UpdateWorkloadRequest)] = new UpdateWorkloadRequest(Description: "Chat model, general availability"),
        [typeof(CreateLicenseKeyRequest)] = new CreateLicenseKeyRequest("ci-issuer", ["tokens:read", "tokens:write"], [WorkloadId], Created.AddDays(90)),
        [typeof(CreateInvitationRequest)] = new CreateInvitationRequest("dana@example.com", "developer", "Dana"),
        [typeof(AcceptInvitationRequest)] = new AcceptInvitationRequest("correct horse battery staple", "Dana"),
        [typeof(UpdateMemberRequest)] = new UpdateMemberRequest(Role: "viewer"),
        [typeof(GatewayUsageRequest)] = new GatewayUsageRequest([new GatewayUsageItem(TokenId, 17, Created.AddHours(2))]),
        [typeof(CreateWebhookRequest)] = new CreateWebhookRequest("https://hooks.example.com/tessera", ["token.created", "token.cancelled", "token.expiring"],
            "Billing"),
        [typeof(UpdateWebhookRequest)] = new UpdateWebhookRequest(Enabled: false),
        [typeof(LeakReportRequest)] = new LeakReportRequest(QuerySecret, "https://github.com/example/repo/blob/main/.env", "manual"),
        [typeof(LatticaRequest)] = FromSdk(new LatticaRequest()),
        [typeof(LatticaCreateModelRequest)] = FromSdk(new LatticaCreateModelRequest("llama-3-70b")),
        [typeof(LatticaModelRequest)] = FromSdk(new LatticaModelRequest(WorkloadId)),
        [typeof(LatticaGenerateTokenRequest)] = FromSdk(new LatticaGenerateTokenRequest(WorkloadId, "alice@example.com")),
        [typeof(LatticaListTokensRequest)] = FromSdk(new LatticaListTokensRequest("ACTIVE", WorkloadId)),
        [typeof(LatticaTokenSecretRequest)] = FromSdk(new LatticaTokenSecretRequest(QuerySecret)),
        [typeof(LatticaUpdateTokenRequest)] = FromSdk(new LatticaUpdateTokenRequest(TokenId, Status: "CANCELED")),
        [typeof(LatticaAssignTokenRequest)] = FromSdk(new LatticaAssignTokenRequest(TokenId, WorkloadId)),
        [typeof(LatticaUnassignTokenRequest)] = FromSdk(new LatticaUnassignTokenRequest(TokenId, WorkloadId)),
        [typeof(LatticaTokenRequest)] = FromSdk(new LatticaTokenRequest(TokenId)),
    };

    /// <summary>Answers: every field the server sends, nulls included.</summary>
    private static readonly Dictionary<Type, object> Responses = new()
    {
        [typeof(TokenResponse)] = Token,
        [typeof(CreatedTokenResponse)] = new CreatedTokenResponse(Token with { LastUsedAt = null, UseCount = 0 }, QuerySecret),
        [typeof(PageResponse<TokenResponse>)] = new PageResponse<TokenResponse>([Token], Cursor),
        [typeof(WorkloadResponse)] = Workload,
        [typeof(PageResponse<WorkloadResponse>)] = new PageResponse<WorkloadResponse>([Workload], null),
        [typeof(LicenseKeyResponse)] = Key,
        [typeof(CreatedLicenseKeyResponse)] = new CreatedLicenseKeyResponse(Key with { LastUsedAt = null }, KeySecret),
        [typeof(ItemsResponse<LicenseKeyResponse>)] = new ItemsResponse<LicenseKeyResponse>([Key]),
        [typeof(MemberResponse)] = Member,
        [typeof(ItemsResponse<MemberResponse>)] = new ItemsResponse<MemberResponse>([Member]),
        [typeof(InvitationResponse)] = Invitation,
        [typeof(ItemsResponse<InvitationResponse>)] = new ItemsResponse<InvitationResponse>([Invitation]),
        [typeof(CreatedInvitationResponse)] = new CreatedInvitationResponse(Invitation, InvitationSecret,
            "https://tessera.example/invitation#" + InvitationSecret),
        [typeof(GatewayChangesResponse)] = new GatewayChangesResponse(
            [new GatewayEntry(Hash: "UNhY4JhezH9gQYqvDMWrWH9CwlcKiECVqejMrND2VFw", TokenId: TokenId, WorkloadId: WorkloadId,
                ExpiresAt: Created.AddDays(30), Status: "cancelled"),
             new GatewayEntry(TokenId: "tok_0193a5b3f6a48c2d9e0f1a2b3c4d5e6f", Deleted: true)], 1042),
        [typeof(GatewayUsageResponse)] = new GatewayUsageResponse(1),
        [typeof(WebhookResponse)] = Webhook,
        [typeof(CreatedWebhookResponse)] = new CreatedWebhookResponse(Webhook, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        [typeof(PageResponse<WebhookResponse>)] = new PageResponse<WebhookResponse>([Webhook], null),
        [typeof(WebhookDeliveryResponse)] = Delivery,
        [typeof(PageResponse<WebhookDeliveryResponse>)] = new PageResponse<WebhookDeliveryResponse>([Delivery], Cursor),
        [typeof(ItemsResponse<UsageBucketResponse>)] = new ItemsResponse<UsageBucketResponse>(
            [new UsageBucketResponse(Created, 12), new UsageBucketResponse(Created.AddHours(1), 0), new UsageBucketResponse(Created.AddHours(2), 30)]),
        [typeof(AccountResponse)] = new AccountResponse(AccountId, "Example AI", Created),
        [typeof(AuditEntryResponse)] = Audit,
        [typeof(PageResponse<AuditEntryResponse>)] = new PageResponse<AuditEntryResponse>([Audit], Cursor),
        [typeof(HandshakeResponse)] = new HandshakeResponse(TokenId, "alice@example.com", new WorkloadReference(WorkloadId, "llama-3-70b"),
            Created.AddDays(30)),
        [typeof(LeakReportResponse)] = new LeakReportResponse("9c1d4f3b2a8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4", "true_positive", "cancel"),
        [typeof(List<GitHubLeakVerdict>)] = new List<GitHubLeakVerdict> { new("9c1d4f3b2a8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4", "tessera_query_token", "true_positive") },
        [typeof(LatticaError)] = new LatticaError("Token 'tokenId' was not found.", "TOKEN_NOT_FOUND"),
        [typeof(LatticaResult<string>)] = new LatticaResult<string>(WorkloadId),
        [typeof(LatticaResult<LatticaModels>)] = new LatticaResult<LatticaModels>(new LatticaModels([Model with { UpdatedAt = null }])),
        [typeof(LatticaResult<LatticaModelInfo>)] = new LatticaResult<LatticaModelInfo>(new LatticaModelInfo(Model)),
        [typeof(LatticaResult<LatticaIssuedToken>)] = new LatticaResult<LatticaIssuedToken>(new LatticaIssuedToken(QuerySecret, TokenId)),
        [typeof(LatticaResult<LatticaTokens>)] = new LatticaResult<LatticaTokens>(new LatticaTokens(
            [new LatticaListedToken(TokenId, "alice@example.com", "Pilot cohort", "ACTIVE", WorkloadId, Created.ToUnixTimeMilliseconds(),
                Created.AddDays(30).ToUnixTimeMilliseconds())], "Found 1 token(s).")),
        [typeof(LatticaResult<LatticaTokenInfo>)] = new LatticaResult<LatticaTokenInfo>(new LatticaTokenInfo(
            new LatticaTokenSummary(TokenId, "ACTIVE", "alice@example.com", Created.AddDays(30).ToUnixTimeMilliseconds()),
            new LatticaTokenModel(WorkloadId, "llama-3-70b", "ACTIVE"), new LatticaWorker(null), new LatticaEvaluationKey(null))),
        [typeof(LatticaResult<LatticaMessage>)] = new LatticaResult<LatticaMessage>(new LatticaMessage("Token assigned to model.", null)),
        [typeof(LatticaResult<LatticaAccount>)] = new LatticaResult<LatticaAccount>(new LatticaAccount(AccountId, Created.ToUnixTimeMilliseconds(),
            "Example AI", null, null, null, null, null)),
    };

    /// <summary>The stable code a refusal of each status most often carries, for the problem examples.</summary>
    private static readonly Dictionary<int, (string Code, string Detail)> Refusals = new()
    {
        [400] = (ErrorCodes.InvalidQuery, "The query is not valid."),
        [401] = (ErrorCodes.LicenseKeyInvalid, "The license key is unknown, revoked or expired."),
        [403] = (ErrorCodes.InsufficientScope, "The license key lacks the scope tokens:write."),
        [404] = (ErrorCodes.NotFound, "Nothing with this id exists in the account."),
        [410] = (ErrorCodes.PositionExpired, "The position is older than the feed keeps; take a new snapshot."),
        [409] = (ErrorCodes.ConcurrentModification, "The object changed while this request ran; read it again and retry."),
        [412] = (ErrorCodes.PreconditionFailed, "If-Match does not name the current version."),
        [413] = (ErrorCodes.PayloadTooLarge, "The body is larger than the limit."),
        [415] = (ErrorCodes.UnsupportedMediaType, "The body must be application/json."),
        [422] = (ErrorCodes.ValidationFailed, "One or more fields are invalid."),
        [429] = (ErrorCodes.TooManyFailures, "Too many failed attempts from this address; retry later."),
        [503] = (ErrorCodes.ServiceUnavailable, "The database did not answer in time."),
    };

    /// <summary>A Lattica body as the Lattica SDK sends it: the call's fields, then client_info.</summary>
    private static T FromSdk<T>(T request)
        where T : LatticaRequest =>
        request with { ClientInfo = new JsonObject { ["module"] = "lattica_management", ["version"] = "0.1.6" } };

    public static object? RequestFor(Type type) => Requests.GetValueOrDefault(type);

    public static object? ResponseFor(Type type) => Responses.GetValueOrDefault(type);

    /// <summary>A problem body as the server sends it for <paramref name="status"/>, or null for a status not listed.</summary>
    public static ProblemResponse? ProblemFor(int status) => Refusals.TryGetValue(status, out var refusal)
        ? new ProblemResponse
        {
            Type = $"https://tools.ietf.org/html/rfc9110#section-15.{(status < 500 ? 5 : 6)}",
            Title = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status),
            Status = status,
            Detail = refusal.Detail,
            Code = refusal.Code,
            Errors = status == 422 ? new Dictionary<string, string[]> { ["name"] = ["Required."] } : null,
        }
        : null;
}
