using System.Globalization;
using System.Runtime.CompilerServices;
using Tessera.Contracts;

namespace Tessera.Client;

/// <summary>
/// The management API (<c>Authorization: Bearer tsl_…</c>): workloads, query tokens, license keys and
/// the account. Every call takes a <see cref="CancellationToken"/> and is bounded by
/// <see cref="TesseraClientOptions.Timeout"/>; refusals throw <see cref="TesseraApiException"/>. Reads
/// are retried on transient failures; writes only when the connection could not be opened.
/// </summary>
/// <example>
/// <code>
/// using var client = new TesseraManagementClient(new Uri("http://localhost:5000"), licenseKey);
/// var modelId = await client.CreateModelAsync("model_name");
/// var (tokenId, token) = await client.GenerateQueryTokenAsync(modelId, "token_name");
/// </code>
/// </example>
public sealed partial class TesseraManagementClient : ITesseraManagementClient
{
    private static readonly TesseraJsonContext Json = TesseraJsonContext.Default;
    private readonly TesseraHttp _http;

    /// <summary>A client of its own for <paramref name="baseAddress"/>, authenticating with <paramref name="licenseKey"/>.</summary>
    /// <param name="baseAddress">The Tessera server, e.g. <c>http://localhost:5000</c>.</param>
    /// <param name="licenseKey">A license key (<c>tsl_…</c>).</param>
    public TesseraManagementClient(Uri baseAddress, string licenseKey)
        : this(new TesseraClientOptions { BaseAddress = baseAddress, LicenseKey = licenseKey })
    {
    }

    /// <summary>A client of its own configured by <paramref name="options"/> (BaseAddress and LicenseKey are required).</summary>
    /// <param name="options">Where Tessera is, the license key, the timeout and the retry budget.</param>
    public TesseraManagementClient(TesseraClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var baseAddress = options.BaseAddress ?? throw new ArgumentException("BaseAddress is required.", nameof(options));
        _http = new TesseraHttp(TesseraHttp.CreateHttpClient(baseAddress, options.MaxAttempts), true, options.LicenseKey!, options.Timeout);
    }

    /// <summary>
    /// Uses <paramref name="httpClient"/> (its BaseAddress must be set; retries are whatever its handlers
    /// do) and keeps no ownership of it: the form <c>AddTesseraClient</c> and tests use.
    /// </summary>
    /// <param name="httpClient">A client whose BaseAddress is the Tessera server.</param>
    /// <param name="options">The license key and the timeout (BaseAddress is taken from the client).</param>
    public TesseraManagementClient(HttpClient httpClient, TesseraClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _http = new TesseraHttp(httpClient, false, options.LicenseKey!, options.Timeout);
    }

    // ---- Lattica-style conveniences: the two calls a user of the reference SDK knows by name.

    /// <summary>Creates a workload (a "model") named <paramref name="modelName"/> and returns its id.</summary>
    /// <param name="modelName">1–100 characters, unique in the account (case-insensitive).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<string> CreateModelAsync(string modelName, CancellationToken cancellationToken = default) =>
        (await CreateWorkloadAsync(modelName, null, cancellationToken)).Id;

    /// <summary>Issues a query token bound to <paramref name="modelId"/> (null: unassigned); returns its id and its secret, shown this once.</summary>
    /// <param name="modelId">The workload id, or null to issue it unassigned.</param>
    /// <param name="tokenName">1–100 characters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<(string TokenId, string Token)> GenerateQueryTokenAsync(string? modelId, string tokenName, CancellationToken cancellationToken = default)
    {
        var created = await CreateTokenAsync(tokenName, modelId, null, cancellationToken);
        return (created.Id, created.Token);
    }

    // ---- Account and license keys.

    /// <summary><c>GET /v1/account</c>: the caller's account.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<AccountResponse> GetAccountAsync(CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Get, "v1/account", null, Json.AccountResponse, cancellationToken);

    /// <summary><c>GET /v1/license-keys</c>: every key of the account, hints only.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<LicenseKeyResponse>> ListLicenseKeysAsync(CancellationToken cancellationToken = default) =>
        (await _http.SendAsync(HttpMethod.Get, "v1/license-keys", null, Json.ItemsResponseLicenseKeyResponse, cancellationToken)).Items;

    /// <summary><c>POST /v1/license-keys</c>: a new key; <see cref="CreatedLicenseKeyResponse.Key"/> is its secret, shown this once.</summary>
    /// <param name="name">1–100 characters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<CreatedLicenseKeyResponse> CreateLicenseKeyAsync(string name, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Post, "v1/license-keys", TesseraHttp.Json(new CreateLicenseKeyRequest(name), Json.CreateLicenseKeyRequest),
            Json.CreatedLicenseKeyResponse, cancellationToken);

    /// <summary>
    /// <c>POST /v1/license-keys</c> with scopes, workloads and an end (API.md §8): a key narrower than the caller's own
    /// (a wider one is refused with 403 <c>insufficient_scope</c>); fields left null take the caller's key's own.
    /// </summary>
    /// <param name="request">Name, and optionally scopes, workload ids and expiry.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<CreatedLicenseKeyResponse> CreateLicenseKeyAsync(CreateLicenseKeyRequest request, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Post, "v1/license-keys", TesseraHttp.Json(request, Json.CreateLicenseKeyRequest),
            Json.CreatedLicenseKeyResponse, cancellationToken);

    /// <summary><c>DELETE /v1/license-keys/{id}</c>: revokes a key (the last active one is refused with 409 <c>last_license_key</c>).</summary>
    /// <param name="licenseKeyId">The key's id (<c>lic_…</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task RevokeLicenseKeyAsync(string licenseKeyId, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Delete, $"v1/license-keys/{Id(licenseKeyId)}", null, cancellationToken);

    // ---- Workloads.

    /// <summary><c>POST /v1/workloads</c>: creates a workload.</summary>
    /// <param name="name">1–100 characters, unique in the account (case-insensitive).</param>
    /// <param name="description">0–1000 characters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<WorkloadResponse> CreateWorkloadAsync(string name, string? description = null, CancellationToken cancellationToken = default) =>
        CreateWorkloadAsync(new CreateWorkloadRequest(name, description), cancellationToken);

    /// <summary><c>POST /v1/workloads</c>: creates a workload from the request body as the API takes it.</summary>
    /// <param name="request">Name (1–100 characters, unique in the account) and description.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<WorkloadResponse> CreateWorkloadAsync(CreateWorkloadRequest request, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Post, "v1/workloads", TesseraHttp.Json(request, Json.CreateWorkloadRequest), Json.WorkloadResponse, cancellationToken);

    /// <summary><c>GET /v1/workloads</c>, every page: all workloads of the account by name.</summary>
    /// <param name="pageSize">Workloads fetched per request, 1–200.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public IAsyncEnumerable<WorkloadResponse> ListWorkloadsAsync(int pageSize = 100, CancellationToken cancellationToken = default) =>
        EveryPageAsync((cursor, ct) => _http.SendAsync(HttpMethod.Get, "v1/workloads" + QueryString(pageSize, cursor), null,
            Json.PageResponseWorkloadResponse, ct), cancellationToken);

    /// <summary><c>GET /v1/workloads/{id}</c>.</summary>
    /// <param name="workloadId">The workload's id (<c>wl_…</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<WorkloadResponse> GetWorkloadAsync(string workloadId, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Get, $"v1/workloads/{Id(workloadId)}", null, Json.WorkloadResponse, cancellationToken);

    /// <summary><c>PATCH /v1/workloads/{id}</c>: renames and/or describes; a null argument leaves that field as it is.</summary>
    /// <param name="workloadId">The workload's id.</param>
    /// <param name="name">The new name, or null.</param>
    /// <param name="description">The new description (empty clears it), or null.</param>
    /// <param name="ifMatch">Apply only if the workload is still at this version (412 otherwise).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    [Obsolete("Every update takes its request record: UpdateWorkloadAsync(workloadId, new UpdateWorkloadRequest(Name: …, Description: …), ifMatch).")]
    public Task<WorkloadResponse> UpdateWorkloadAsync(string workloadId, string? name = null, string? description = null, long? ifMatch = null,
        CancellationToken cancellationToken = default) =>
        UpdateWorkloadAsync(workloadId, new UpdateWorkloadRequest(name ?? Optional<string?>.Absent, description ?? Optional<string?>.Absent), ifMatch, cancellationToken);

    /// <summary><c>PATCH /v1/workloads/{id}</c>: the fields of <paramref name="update"/> that are set (a null included); the absent ones stay as they are.</summary>
    /// <param name="workloadId">The workload's id.</param>
    /// <param name="update">The new name and/or description (an empty description clears it).</param>
    /// <param name="ifMatch">Apply only if the workload is still at this version (412 otherwise).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<WorkloadResponse> UpdateWorkloadAsync(string workloadId, UpdateWorkloadRequest update, long? ifMatch = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        return _http.SendAsync(HttpMethod.Patch, $"v1/workloads/{Id(workloadId)}", TesseraHttp.MergePatch(update, Json.UpdateWorkloadRequest), Json.WorkloadResponse,
            cancellationToken, ifMatch);
    }

    /// <summary><c>DELETE /v1/workloads/{id}</c>: its tokens survive, unassigned.</summary>
    /// <param name="workloadId">The workload's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task DeleteWorkloadAsync(string workloadId, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Delete, $"v1/workloads/{Id(workloadId)}", null, cancellationToken);

    // ---- Query tokens.

    /// <summary><c>POST /v1/tokens</c>: issues a token; <see cref="CreatedTokenResponse.Token"/> is its secret, shown this once.</summary>
    /// <param name="name">1–100 characters.</param>
    /// <param name="workloadId">The workload to bind it to, or null for unassigned.</param>
    /// <param name="note">0–1000 characters, for the provider only.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<CreatedTokenResponse> CreateTokenAsync(string name, string? workloadId = null, string? note = null, CancellationToken cancellationToken = default) =>
        CreateTokenAsync(new CreateTokenRequest(name, workloadId, note), cancellationToken);

    /// <summary><c>POST /v1/tokens</c>: issues a token from the request body as the API takes it; the answer's token is its secret, shown this once.</summary>
    /// <param name="request">Name, workload (null for unassigned) and note.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<CreatedTokenResponse> CreateTokenAsync(CreateTokenRequest request, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Post, "v1/tokens", TesseraHttp.Json(request, Json.CreateTokenRequest), Json.CreatedTokenResponse, cancellationToken);

    /// <summary><c>GET /v1/tokens</c>, every page: the account's tokens matching <paramref name="filter"/>, in its order.</summary>
    /// <param name="filter">Filters and order; null lists every token, newest first.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public IAsyncEnumerable<TokenResponse> ListTokensAsync(TokenListFilter? filter = null, CancellationToken cancellationToken = default) =>
        EveryPageAsync((cursor, ct) => ListTokenPageAsync(filter, cursor, ct), cancellationToken);

    /// <summary><c>GET /v1/tokens</c>, one page: for callers that keep the cursor themselves.</summary>
    /// <param name="filter">Filters, order and page size.</param>
    /// <param name="cursor">The <see cref="PageResponse{T}.NextCursor"/> of the previous page, or null for the first.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<PageResponse<TokenResponse>> ListTokenPageAsync(TokenListFilter? filter, string? cursor, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Get, "v1/tokens" + Query(filter ?? new TokenListFilter(), cursor), null, Json.PageResponseTokenResponse, cancellationToken);

    /// <summary><c>GET /v1/tokens/{id}</c>: one token, never its secret.</summary>
    /// <param name="tokenId">The token's id (<c>tok_…</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<TokenResponse> GetTokenAsync(string tokenId, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Get, $"v1/tokens/{Id(tokenId)}", null, Json.TokenResponse, cancellationToken);

    /// <summary>
    /// <c>PATCH /v1/tokens/{id}</c>: changes the fields of <paramref name="update"/> that are set; the absent ones stay
    /// as they are (<c>WorkloadId: Optional&lt;string?&gt;.Of(null)</c> unassigns, as <see cref="UnassignTokenAsync"/> does).
    /// </summary>
    /// <param name="tokenId">The token's id.</param>
    /// <param name="update">Name, note, workloadId, status (<c>active</c>/<c>cancelled</c>), expiresAt.</param>
    /// <param name="ifMatch">Apply only if the token is still at this version (412 otherwise).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<TokenResponse> UpdateTokenAsync(string tokenId, UpdateTokenRequest update, long? ifMatch = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        return _http.SendAsync(HttpMethod.Patch, $"v1/tokens/{Id(tokenId)}", TesseraHttp.MergePatch(update, Json.UpdateTokenRequest), Json.TokenResponse,
            cancellationToken, ifMatch);
    }

    /// <summary>Binds the token to <paramref name="workloadId"/> (its secret does not change).</summary>
    /// <param name="tokenId">The token's id.</param>
    /// <param name="workloadId">A workload of the same account.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<TokenResponse> AssignTokenAsync(string tokenId, string workloadId, CancellationToken cancellationToken = default) =>
        UpdateTokenAsync(tokenId, new UpdateTokenRequest(WorkloadId: workloadId), null, cancellationToken);

    /// <summary>Parks the token unassigned: refused by the query side until assigned again.</summary>
    /// <param name="tokenId">The token's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<TokenResponse> UnassignTokenAsync(string tokenId, CancellationToken cancellationToken = default) =>
        UpdateTokenAsync(tokenId, new UpdateTokenRequest(WorkloadId: Optional<string?>.Of(null)), null, cancellationToken);

    /// <summary>Cancels the token: refused from the very next query.</summary>
    /// <param name="tokenId">The token's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<TokenResponse> CancelTokenAsync(string tokenId, CancellationToken cancellationToken = default) =>
        UpdateTokenAsync(tokenId, new UpdateTokenRequest(Status: "cancelled"), null, cancellationToken);

    /// <summary>Reactivates a cancelled token.</summary>
    /// <param name="tokenId">The token's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<TokenResponse> ReactivateTokenAsync(string tokenId, CancellationToken cancellationToken = default) =>
        UpdateTokenAsync(tokenId, new UpdateTokenRequest(Status: "active"), null, cancellationToken);

    /// <summary>Sets the token's expiry to <paramref name="expiresAt"/>, which must lie in (now, now + lifetime].</summary>
    /// <param name="tokenId">The token's id.</param>
    /// <param name="expiresAt">The new expiry.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<TokenResponse> SetTokenExpiryAsync(string tokenId, DateTimeOffset expiresAt, CancellationToken cancellationToken = default) =>
        UpdateTokenAsync(tokenId, new UpdateTokenRequest(ExpiresAt: expiresAt), null, cancellationToken);

    /// <summary><c>POST /v1/tokens/{id}/renew</c>: expiresAt = now + lifetime (a cancelled token is refused with 409 <c>token_cancelled</c>).</summary>
    /// <param name="tokenId">The token's id.</param>
    /// <param name="ifMatch">Apply only if the token is still at this version.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<TokenResponse> RenewTokenAsync(string tokenId, long? ifMatch = null, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Post, $"v1/tokens/{Id(tokenId)}/renew", null, Json.TokenResponse, cancellationToken, ifMatch);

    /// <summary><c>DELETE /v1/tokens/{id}</c>: it stops working at once.</summary>
    /// <param name="tokenId">The token's id.</param>
    /// <param name="ifMatch">Delete only if the token is still at this version.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task DeleteTokenAsync(string tokenId, long? ifMatch = null, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Delete, $"v1/tokens/{Id(tokenId)}", null, cancellationToken, ifMatch);

    // ---- Leak response.

    /// <summary>
    /// <c>POST /v1/leaks</c>: reports a string your own scanner found in public. A stored query token (of any account)
    /// is handled as the server's <c>Tessera:Leaks:Action</c> says (cancelled by default) and labelled
    /// <c>true_positive</c>; anything else is <c>false_positive</c> and changes nothing.
    /// </summary>
    /// <param name="token">The string found; sent in the body only, never in a URL.</param>
    /// <param name="url">Where it was found: an absolute http or https URL.</param>
    /// <param name="source">What kind of place, e.g. <c>content</c> or <c>commit</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<LeakReportResponse> ReportLeakAsync(string token, string? url = null, string? source = null, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Post, "v1/leaks", TesseraHttp.Json(new LeakReportRequest(token, url, source), Json.LeakReportRequest),
            Json.LeakReportResponse, cancellationToken);

    // ---- Audit trail.

    /// <summary><c>GET /v1/audit</c>, every page: the account's audit trail matching <paramref name="filter"/>, newest first.</summary>
    /// <param name="filter">Filters; null lists every entry.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public IAsyncEnumerable<AuditEntryResponse> ListAuditAsync(AuditFilter? filter = null, CancellationToken cancellationToken = default) =>
        EveryPageAsync((cursor, ct) => ListAuditPageAsync(filter, cursor, ct), cancellationToken);

    /// <summary><c>GET /v1/audit</c>, one page: for callers that keep the cursor themselves.</summary>
    /// <param name="filter">Filters and page size.</param>
    /// <param name="cursor">The <see cref="PageResponse{T}.NextCursor"/> of the previous page, or null for the first.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<PageResponse<AuditEntryResponse>> ListAuditPageAsync(AuditFilter? filter, string? cursor, CancellationToken cancellationToken = default)
    {
        var f = filter ?? new AuditFilter();
        var query = QueryString(f.PageSize, cursor,
            ("objectId", f.ObjectId), ("action", f.Action), ("actorId", f.ActorId), ("from", f.From is { } from ? Instant(from) : null), ("to", f.To is { } to ? Instant(to) : null));
        return _http.SendAsync(HttpMethod.Get, "v1/audit" + query, null, Json.PageResponseAuditEntryResponse, cancellationToken);
    }

    /// <summary>Releases the HttpClient this client created (not one it was given).</summary>
    public void Dispose() => _http.Dispose();

    /// <summary>Every item of a keyset-paged list, page after page, following each page's cursor.</summary>
    private static async IAsyncEnumerable<T> EveryPageAsync<T>(Func<string?, CancellationToken, Task<PageResponse<T>>> page,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? cursor = null;
        do
        {
            var current = await page(cursor, cancellationToken);
            foreach (var item in current.Items)
            {
                yield return item;
            }
            cursor = current.NextCursor;
        }
        while (cursor is not null);
    }

    private static string Id(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        return Uri.EscapeDataString(id);
    }

    private static string Instant(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string Query(TokenListFilter f, string? cursor) =>
        QueryString(f.PageSize, cursor,
            ("workloadId", f.Unassigned ? "none" : f.WorkloadId),
            ("status", f.Status?.Value),
            ("state", f.State?.Value),
            ("q", f.NameContains),
            ("createdFrom", f.CreatedFrom is { } from ? Instant(from) : null),
            ("createdTo", f.CreatedTo is { } to ? Instant(to) : null),
            ("expiresBefore", f.ExpiresBefore is { } before ? Instant(before) : null),
            ("sort", f.Sort?.Value));

    /// <summary>A list's query string: the page size, the filters that are set, and the cursor last.</summary>
    private static string QueryString(int pageSize, string? cursor, params (string Name, string? Value)[] filters)
    {
        var parts = new List<string> { "limit=" + pageSize.ToString(CultureInfo.InvariantCulture) };
        foreach (var (name, value) in filters.Append(("cursor", cursor)))
        {
            if (value is not null)
            {
                parts.Add(name + "=" + Uri.EscapeDataString(value));
            }
        }
        return "?" + string.Join('&', parts);
    }
}
