using System.Net;
using System.Text.Json.Nodes;
using Tessera.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.LeastPrivilege;

/// <summary>
/// API.md §8, issue 15: a key bound to workloads sees only those workloads and the tokens assigned to them
/// (everything else is 404, as another account's), and cannot create, move or leave a token outside them,
/// unassigned included (403 workload_not_allowed), on /v1 and on the Lattica surface alike.
/// </summary>
public abstract class WorkloadBoundKeyTests(TesseraApp app)
{
    public sealed class OnSqlite(TesseraApp app) : WorkloadBoundKeyTests(app), IClassFixture<TesseraApp>;

    public sealed class OnPostgres(PostgresTesseraApp app) : WorkloadBoundKeyTests(app.Require()), IClassFixture<PostgresTesseraApp>;

    private sealed record Setup(TestAccount Account, HttpClient Bound, WorkloadResponse Mine, WorkloadResponse Theirs,
        CreatedTokenResponse MyToken, CreatedTokenResponse TheirToken, CreatedTokenResponse Unassigned);

    private async Task<Setup> SetUpAsync()
    {
        var account = await app.NewAccountAsync();
        var mine = await account.CreateWorkloadAsync("team-a");
        var theirs = await account.CreateWorkloadAsync("team-b");
        var key = await (await account.Client.PostJsonAsync("/v1/license-keys",
                new { name = "team a", scopes = new[] { "tokens:write", "workloads:write" }, workloadIds = new[] { mine.Id } }))
            .ReadAsync<CreatedLicenseKeyResponse>(HttpStatusCode.Created);
        Assert.Equal([mine.Id], key.WorkloadIds!);
        Assert.Equal(["tokens:write", "workloads:write"], key.Scopes);
        return new Setup(account, app.ClientWith(key.Key), mine, theirs,
            await account.CreateTokenAsync("a", mine.Id), await account.CreateTokenAsync("b", theirs.Id), await account.CreateTokenAsync("c"));
    }

    [Fact]
    public async Task Sees_its_workloads_and_their_tokens_only_and_everything_else_is_not_found()
    {
        var s = await SetUpAsync();

        // What it holds: read, listed.
        await s.Bound.GetAsync($"/v1/workloads/{s.Mine.Id}").EnsureAsync(HttpStatusCode.OK);
        await s.Bound.GetAsync($"/v1/tokens/{s.MyToken.Id}").EnsureAsync(HttpStatusCode.OK);
        var workloads = await (await s.Bound.GetAsync("/v1/workloads")).ReadAsync<PageResponse<WorkloadResponse>>();
        Assert.Equal([s.Mine.Id], workloads.Items.Select(w => w.Id));
        var tokens = await (await s.Bound.GetAsync("/v1/tokens")).ReadAsync<PageResponse<TokenResponse>>();
        Assert.Equal([s.MyToken.Id], tokens.Items.Select(t => t.Id));
        Assert.Empty((await (await s.Bound.GetAsync("/v1/tokens?workloadId=none")).ReadAsync<PageResponse<TokenResponse>>()).Items);
        Assert.Empty((await (await s.Bound.GetAsync($"/v1/tokens?workloadId={s.Theirs.Id}")).ReadAsync<PageResponse<TokenResponse>>()).Items);

        // What it does not: 404, exactly as another account's objects.
        await (await s.Bound.GetAsync($"/v1/workloads/{s.Theirs.Id}")).ProblemAsync(HttpStatusCode.NotFound, "workload_not_found");
        await (await s.Bound.GetAsync($"/v1/tokens/{s.TheirToken.Id}")).ProblemAsync(HttpStatusCode.NotFound, "token_not_found");
        await (await s.Bound.GetAsync($"/v1/tokens/{s.Unassigned.Id}")).ProblemAsync(HttpStatusCode.NotFound, "token_not_found");
        await (await s.Bound.PatchJsonAsync($"/v1/tokens/{s.TheirToken.Id}", new { name = "x" })).ProblemAsync(HttpStatusCode.NotFound, "token_not_found");
        await (await s.Bound.PostAsync($"/v1/tokens/{s.TheirToken.Id}/renew", null)).ProblemAsync(HttpStatusCode.NotFound, "token_not_found");
        await (await s.Bound.DeleteAsync($"/v1/tokens/{s.Unassigned.Id}")).ProblemAsync(HttpStatusCode.NotFound, "token_not_found");
        await (await s.Bound.PatchJsonAsync($"/v1/workloads/{s.Theirs.Id}", new { name = "x" })).ProblemAsync(HttpStatusCode.NotFound, "workload_not_found");
        await (await s.Bound.DeleteAsync($"/v1/workloads/{s.Theirs.Id}")).ProblemAsync(HttpStatusCode.NotFound, "workload_not_found");
        await (await s.Bound.PostJsonAsync($"/v1/workloads/{s.Theirs.Id}/tokens", new { name = "x" })).ProblemAsync(HttpStatusCode.NotFound, "workload_not_found");

        // Nothing of theirs changed.
        Assert.Equal(("b", s.Theirs.Id), ((await s.Account.GetTokenAsync(s.TheirToken.Id)).Name, (await s.Account.GetTokenAsync(s.TheirToken.Id)).WorkloadId));
        await s.Account.Client.GetAsync($"/v1/tokens/{s.Unassigned.Id}").EnsureAsync(HttpStatusCode.OK);
        await s.Account.Client.GetAsync($"/v1/workloads/{s.Theirs.Id}").EnsureAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Changes_what_it_holds_but_cannot_create_move_or_leave_a_token_outside_its_workloads()
    {
        var s = await SetUpAsync();

        // Inside: allowed.
        var issued = await (await s.Bound.PostJsonAsync("/v1/tokens", new { name = "inside", workloadId = s.Mine.Id })).ReadAsync<CreatedTokenResponse>(HttpStatusCode.Created);
        await (await s.Bound.PostJsonAsync($"/v1/workloads/{s.Mine.Id}/tokens", new { name = "inside too" })).ReadAsync<CreatedTokenResponse>(HttpStatusCode.Created);
        Assert.Equal("renamed", (await (await s.Bound.PatchJsonAsync($"/v1/tokens/{issued.Id}", new { name = "renamed" })).ReadAsync<TokenResponse>()).Name);
        await s.Bound.PostAsync($"/v1/tokens/{issued.Id}/renew", null).EnsureAsync(HttpStatusCode.OK);
        await (await s.Bound.PatchJsonAsync($"/v1/workloads/{s.Mine.Id}", new { description = "ours" })).ReadAsync<WorkloadResponse>();

        // Outside, unassigned included: 403 workload_not_allowed, nothing created or moved.
        await (await s.Bound.PostJsonAsync("/v1/tokens", new { name = "outside", workloadId = s.Theirs.Id })).ProblemAsync(HttpStatusCode.Forbidden, "workload_not_allowed");
        await (await s.Bound.PostJsonAsync("/v1/tokens", new { name = "parked" })).ProblemAsync(HttpStatusCode.Forbidden, "workload_not_allowed");
        await (await s.Bound.PatchJsonAsync($"/v1/tokens/{issued.Id}", new { workloadId = s.Theirs.Id })).ProblemAsync(HttpStatusCode.Forbidden, "workload_not_allowed");
        await (await s.Bound.PatchJsonAsync($"/v1/tokens/{issued.Id}", new { workloadId = (string?)null })).ProblemAsync(HttpStatusCode.Forbidden, "workload_not_allowed");
        await (await s.Bound.PostJsonAsync("/v1/workloads", new { name = "team-c" })).ProblemAsync(HttpStatusCode.Forbidden, "workload_not_allowed");
        await (await s.Bound.DeleteAsync($"/v1/workloads/{s.Mine.Id}")).ProblemAsync(HttpStatusCode.Forbidden, "workload_not_allowed");

        Assert.Equal(s.Mine.Id, (await s.Account.GetTokenAsync(issued.Id)).WorkloadId);
        var all = await s.Account.ListTokensAsync("?limit=200");
        Assert.Equal(["a", "b", "c", "inside too", "renamed"], all.Items.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.Equal(2, (await (await s.Account.Client.GetAsync("/v1/workloads")).ReadAsync<PageResponse<WorkloadResponse>>()).Items.Count);
        await s.Account.Client.GetAsync($"/v1/workloads/{s.Mine.Id}").EnsureAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_lattica_surface_keeps_a_bound_key_inside_its_workloads_too()
    {
        var s = await SetUpAsync();

        var models = await LatticaAsync(s.Bound, "model/list_models", []);
        Assert.Equal([s.Mine.Id], models["result"]!["models"]!.AsArray().Select(m => (string?)m!["modelId"]));
        var listed = await LatticaAsync(s.Bound, "token/list_tokens", []);
        Assert.Equal([s.MyToken.Id], listed["result"]!["tokens"]!.AsArray().Select(t => (string?)t!["tokenId"]));
        await LatticaAsync(s.Bound, "token/generate_token", new JsonObject { ["modelId"] = s.Mine.Id, ["tokenName"] = "inside" });

        await LatticaErrorAsync(s.Bound, "model/get_model_info", new JsonObject { ["modelId"] = s.Theirs.Id }, HttpStatusCode.NotFound, "WORKLOAD_NOT_FOUND");
        await LatticaErrorAsync(s.Bound, "token/get_token_info", new JsonObject { ["token"] = s.TheirToken.Token }, HttpStatusCode.NotFound, "TOKEN_NOT_FOUND");
        await LatticaErrorAsync(s.Bound, "token/delete_token", new JsonObject { ["tokenId"] = s.Unassigned.Id }, HttpStatusCode.NotFound, "TOKEN_NOT_FOUND");
        await LatticaErrorAsync(s.Bound, "token/generate_token", new JsonObject { ["modelId"] = s.Theirs.Id, ["tokenName"] = "x" },
            HttpStatusCode.Forbidden, "WORKLOAD_NOT_ALLOWED");
        await LatticaErrorAsync(s.Bound, "token/generate_token", new JsonObject { ["modelId"] = null, ["tokenName"] = "x" },
            HttpStatusCode.Forbidden, "WORKLOAD_NOT_ALLOWED");
        await LatticaErrorAsync(s.Bound, "token/assign_token_to_model", new JsonObject { ["tokenId"] = s.MyToken.Id, ["modelIdToAssign"] = s.Theirs.Id },
            HttpStatusCode.Forbidden, "WORKLOAD_NOT_ALLOWED");
        await LatticaErrorAsync(s.Bound, "token/unassign_token_from_model", new JsonObject { ["tokenId"] = s.MyToken.Id, ["modelId"] = s.Mine.Id },
            HttpStatusCode.Forbidden, "WORKLOAD_NOT_ALLOWED");
        await LatticaErrorAsync(s.Bound, "model/create_model", new JsonObject { ["modelName"] = "team-c" }, HttpStatusCode.Forbidden, "WORKLOAD_NOT_ALLOWED");

        Assert.Equal(s.Mine.Id, (await s.Account.GetTokenAsync(s.MyToken.Id)).WorkloadId);
        await s.Account.Client.GetAsync($"/v1/tokens/{s.Unassigned.Id}").EnsureAsync(HttpStatusCode.OK);
        Assert.Equal(["a", "b", "c", "inside"], (await s.Account.ListTokensAsync("?limit=200")).Items.Select(t => t.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_bound_key_cannot_read_the_whole_accounts_audit_trail_nor_make_an_unbound_key()
    {
        var s = await SetUpAsync();
        var auditor = await (await s.Account.Client.PostJsonAsync("/v1/license-keys",
                new { name = "team a audit", scopes = new[] { "audit:read", "keys:manage", "tokens:read" }, workloadIds = new[] { s.Mine.Id } }))
            .ReadAsync<CreatedLicenseKeyResponse>(HttpStatusCode.Created);
        var client = app.ClientWith(auditor.Key);

        // The trail spans every workload of the account.
        await (await client.GetAsync("/v1/audit")).ProblemAsync(HttpStatusCode.Forbidden, "workload_not_allowed");
        await (await client.GetAsync($"/v1/audit?objectId={s.MyToken.Id}")).ProblemAsync(HttpStatusCode.Forbidden, "workload_not_allowed");
        // A key it makes stays inside its workloads, whatever it asks.
        await (await client.PostJsonAsync("/v1/license-keys", new { name = "wider", scopes = new[] { "tokens:read" }, workloadIds = new[] { s.Theirs.Id } }))
            .ProblemAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        var inherited = await (await client.PostJsonAsync("/v1/license-keys", new { name = "narrow", scopes = new[] { "tokens:read" } }))
            .ReadAsync<CreatedLicenseKeyResponse>(HttpStatusCode.Created);
        Assert.Equal([s.Mine.Id], inherited.WorkloadIds!);
        await (await app.ClientWith(inherited.Key).GetAsync($"/v1/tokens/{s.TheirToken.Id}")).ProblemAsync(HttpStatusCode.NotFound, "token_not_found");
    }

    private static async Task<JsonObject> LatticaAsync(HttpClient client, string call, JsonObject body)
    {
        var response = await client.PostJsonAsync($"/api/{call}", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{call}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private static async Task LatticaErrorAsync(HttpClient client, string call, JsonObject body, HttpStatusCode status, string code)
    {
        var response = await client.PostJsonAsync($"/api/{call}", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{call}: {(int)response.StatusCode} {text}");
        Assert.Equal(code, (string?)JsonNode.Parse(text)!["error_code"]);
    }
}
