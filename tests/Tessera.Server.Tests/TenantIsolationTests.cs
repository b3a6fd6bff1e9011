using System.Net;
using Tessera.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>Another account's objects answer 404 for every verb, exactly as missing ones, and stay untouched.</summary>
public abstract class TenantIsolationTests(TesseraApp app)
{
    public sealed class OnSqlite(TesseraApp app) : TenantIsolationTests(app), IClassFixture<TesseraApp>;

    public sealed class OnPostgres(PostgresTesseraApp app) : TenantIsolationTests(app.Require()), IClassFixture<PostgresTesseraApp>;

    [Fact]
    public async Task Every_verb_on_another_accounts_objects_is_404_and_changes_nothing()
    {
        var owner = await app.NewAccountAsync();
        var intruder = await app.NewAccountAsync();
        var workload = await owner.CreateWorkloadAsync("private-model");
        var token = await owner.CreateTokenAsync("alice", workload.Id);
        var ownerKeys = await (await owner.Client.GetAsync("/v1/license-keys")).ReadAsync<ItemsResponse<LicenseKeyResponse>>();
        await owner.Client.PostJsonAsync("/v1/license-keys", new { name = "second" }); // so revoking would be allowed
        var c = intruder.Client;

        await (await c.GetAsync($"/v1/tokens/{token.Id}")).ProblemAsync(HttpStatusCode.NotFound, "token_not_found");
        await (await c.PatchJsonAsync($"/v1/tokens/{token.Id}", new { status = "cancelled" })).ProblemAsync(HttpStatusCode.NotFound, "token_not_found");
        await (await c.PatchJsonAsync($"/v1/tokens/{token.Id}", new { name = "x" }, ifMatch: "\"1\"")).ProblemAsync(HttpStatusCode.NotFound, "token_not_found");
        await (await c.PostAsync($"/v1/tokens/{token.Id}/renew", null)).ProblemAsync(HttpStatusCode.NotFound, "token_not_found");
        await (await c.DeleteAsync($"/v1/tokens/{token.Id}")).ProblemAsync(HttpStatusCode.NotFound, "token_not_found");
        await (await c.SendRawAsync(HttpMethod.Delete, $"/v1/tokens/{token.Id}", null, ifMatch: "\"1\"")).ProblemAsync(HttpStatusCode.NotFound, "token_not_found");
        await (await c.GetAsync($"/v1/workloads/{workload.Id}")).ProblemAsync(HttpStatusCode.NotFound, "workload_not_found");
        await (await c.PatchJsonAsync($"/v1/workloads/{workload.Id}", new { name = "mine" })).ProblemAsync(HttpStatusCode.NotFound, "workload_not_found");
        await (await c.DeleteAsync($"/v1/workloads/{workload.Id}")).ProblemAsync(HttpStatusCode.NotFound, "workload_not_found");
        await (await c.PostJsonAsync($"/v1/workloads/{workload.Id}/tokens", new { name = "x" })).ProblemAsync(HttpStatusCode.NotFound, "workload_not_found");
        await (await c.DeleteAsync($"/v1/license-keys/{ownerKeys.Items[0].Id}")).ProblemAsync(HttpStatusCode.NotFound, "license_key_not_found");

        // Pointing one's own token at another account's workload is refused as if it did not exist.
        var own = await intruder.CreateTokenAsync("mine");
        await (await c.PatchJsonAsync($"/v1/tokens/{own.Id}", new { workloadId = workload.Id })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await c.PostJsonAsync("/v1/tokens", new { name = "x", workloadId = workload.Id })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Empty((await intruder.ListTokensAsync($"?workloadId={workload.Id}")).Items);
        Assert.Single((await intruder.ListTokensAsync()).Items);
        Assert.Empty((await (await c.GetAsync("/v1/workloads")).ReadAsync<PageResponse<WorkloadResponse>>()).Items);

        // The owner's objects are as they were, and the token still works.
        Assert.Equivalent(await owner.GetTokenAsync(token.Id), token, strict: false);
        Assert.Equal(workload, await (await owner.Client.GetAsync($"/v1/workloads/{workload.Id}")).ReadAsync<WorkloadResponse>() with { TokenCount = 0, UsableTokenCount = 0 });
        Assert.Equal(HttpStatusCode.OK, (await app.HandshakeAsync(token.Token)).StatusCode);
        Assert.Equal(2, (await (await owner.Client.GetAsync("/v1/license-keys")).ReadAsync<ItemsResponse<LicenseKeyResponse>>()).Items.Count(k => k.Status == "active"));
    }
}
