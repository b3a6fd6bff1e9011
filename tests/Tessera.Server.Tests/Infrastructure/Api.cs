using System.Net;
using Tessera.Contracts;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>The management calls tests make over and over, through real HTTP requests.</summary>
public static class Api
{
    public static async Task<WorkloadResponse> CreateWorkloadAsync(this TestAccount account, string name, string? description = null) =>
        await (await account.Client.PostJsonAsync("/v1/workloads", new CreateWorkloadRequest(name, description)))
            .ReadAsync<WorkloadResponse>(HttpStatusCode.Created);

    public static async Task<CreatedTokenResponse> CreateTokenAsync(this TestAccount account, string name, string? workloadId = null, string? note = null) =>
        await (await account.Client.PostJsonAsync("/v1/tokens", new CreateTokenRequest(name, workloadId, note)))
            .ReadAsync<CreatedTokenResponse>(HttpStatusCode.Created);

    public static async Task<TokenResponse> GetTokenAsync(this TestAccount account, string id) =>
        await (await account.Client.GetAsync($"/v1/tokens/{id}")).ReadAsync<TokenResponse>();

    public static async Task<TokenResponse> PatchTokenAsync(this TestAccount account, string id, object patch) =>
        await (await account.Client.PatchJsonAsync($"/v1/tokens/{id}", patch)).ReadAsync<TokenResponse>();

    public static async Task<PageResponse<TokenResponse>> ListTokensAsync(this TestAccount account, string query = "") =>
        await (await account.Client.GetAsync($"/v1/tokens{query}")).ReadAsync<PageResponse<TokenResponse>>();

    /// <summary>GET /v1/audit with <paramref name="query"/> (e.g. <c>?objectId=tok_…</c>).</summary>
    public static async Task<PageResponse<AuditEntryResponse>> AuditAsync(this TestAccount account, string query = "") =>
        await (await account.Client.GetAsync($"/v1/audit{query}")).ReadAsync<PageResponse<AuditEntryResponse>>();

    /// <summary>POST /v1/handshake with <paramref name="secret"/>.</summary>
    public static Task<HttpResponseMessage> HandshakeAsync(this TesseraApp app, string? secret) =>
        app.ClientWith(secret).PostAsync("/v1/handshake", null);
}
