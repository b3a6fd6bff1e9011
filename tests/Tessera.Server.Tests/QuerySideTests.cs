using System.Net;
using Tessera.Contracts;
using Tessera.Core.Secrets;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>API.md §4: handshake and forward-auth, every refusal code, usage, and changes taking effect at once.</summary>
public abstract class QuerySideTests(TesseraApp app)
{
    public sealed class OnSqlite(TesseraApp app) : QuerySideTests(app), IClassFixture<TesseraApp>;

    public sealed class OnPostgres(PostgresTesseraApp app) : QuerySideTests(app.Require()), IClassFixture<PostgresTesseraApp>;

    private async Task<(TestAccount Account, WorkloadResponse Workload, CreatedTokenResponse Token)> UsableTokenAsync()
    {
        var account = await app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama-3");
        var token = await account.CreateTokenAsync("alice", workload.Id);
        return (account, workload, token);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string code)
    {
        await response.ProblemAsync(HttpStatusCode.Unauthorized, code);
        Assert.Equal("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal(code, response.Headers.GetValues("X-Tessera-Error").Single());
    }

    [Fact]
    public async Task Handshake_with_a_usable_token_names_the_token_and_its_workload()
    {
        var (_, workload, token) = await UsableTokenAsync();

        var handshake = await (await app.HandshakeAsync(token.Token)).ReadAsync<HandshakeResponse>();

        Assert.Equal(token.Id, handshake.TokenId);
        Assert.Equal("alice", handshake.TokenName);
        Assert.Equal(new WorkloadReference(workload.Id, "llama-3"), handshake.Workload);
        Assert.Equal(token.ExpiresAt, handshake.ExpiresAt);
    }

    [Fact]
    public async Task Auth_with_a_usable_token_answers_204_with_token_and_workload_headers()
    {
        var (_, workload, token) = await UsableTokenAsync();

        var response = await app.ClientWith(token.Token).GetAsync(QuerySide.AuthPath(workload.Id));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(token.Id, response.Headers.GetValues("X-Tessera-Token-Id").Single());
        Assert.Equal(workload.Id, response.Headers.GetValues("X-Tessera-Workload-Id").Single());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("/V1/AUTH")]
    [InlineData("/v1/auth/")]
    public async Task Other_spellings_of_the_auth_path_reach_the_mapped_endpoint_with_the_same_answer(string path)
    {
        var (_, workload, token) = await UsableTokenAsync();

        var response = await app.ClientWith(token.Token).GetAsync(QuerySide.AuthPath(workload.Id, path));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(token.Id, response.Headers.GetValues("X-Tessera-Token-Id").Single());
        Assert.Equal(workload.Id, response.Headers.GetValues("X-Tessera-Workload-Id").Single());
        await AssertRefusedAsync(await app.ClientWith(null).GetAsync(QuerySide.AuthPath(workload.Id, path)), "token_missing");
        await (await app.ClientWith(token.Token).GetAsync(path)).ProblemAsync(HttpStatusCode.BadRequest, "workload_required");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer")]
    [InlineData("Bearer    ")]
    public async Task A_request_without_a_bearer_token_is_refused_as_token_missing(string? authorization)
    {
        var client = app.ClientWith(null);
        var request = new HttpRequestMessage(HttpMethod.Get, QuerySide.AuthPath(QuerySide.NoSuchWorkloadId));
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        await AssertRefusedAsync(await client.SendAsync(request), "token_missing");
        await AssertRefusedAsync(await client.PostAsync("/v1/handshake", null), "token_missing");
    }

    [Fact]
    public async Task Malformed_tokens_are_refused_as_token_malformed()
    {
        var (account, workload, token) = await UsableTokenAsync();
        var flipped = token.Token[..^1] + (token.Token[^1] == 'A' ? 'B' : 'A'); // checksum no longer matches
        string[] malformed =
        [
            "not-a-token", token.Token + "x", token.Token[..^1], flipped, account.LicenseKey, // a license key is not a query token
            "tsq_" + new string('!', 49), "' OR 1=1 --",
        ];
        foreach (var value in malformed)
        {
            await AssertRefusedAsync(await app.HandshakeAsync(value), "token_malformed");
            await AssertRefusedAsync(await app.ClientWith(value).GetAsync(QuerySide.AuthPath(workload.Id)), "token_malformed");
        }
        // The real token still works: the refusals above were about the values, not the server.
        Assert.Equal(HttpStatusCode.OK, (await app.HandshakeAsync(token.Token)).StatusCode);
    }

    [Fact]
    public async Task A_well_formed_token_that_was_never_issued_is_refused_as_token_unknown()
    {
        await AssertRefusedAsync(await app.HandshakeAsync(SecretFormat.Generate(SecretKind.QueryToken)), "token_unknown");
    }

    [Fact]
    public async Task Cancelling_refuses_the_very_next_call_and_reactivating_restores_it()
    {
        var (account, workload, token) = await UsableTokenAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await app.ClientWith(token.Token).GetAsync(QuerySide.AuthPath(workload.Id))).StatusCode);

        await account.PatchTokenAsync(token.Id, new { status = "cancelled" });
        await AssertRefusedAsync(await app.ClientWith(token.Token).GetAsync(QuerySide.AuthPath(workload.Id)), "token_cancelled");
        await AssertRefusedAsync(await app.HandshakeAsync(token.Token), "token_cancelled");

        await account.PatchTokenAsync(token.Id, new { status = "active" });
        Assert.Equal(HttpStatusCode.NoContent, (await app.ClientWith(token.Token).GetAsync(QuerySide.AuthPath(workload.Id))).StatusCode);
    }

    [Fact]
    public async Task Unassigning_refuses_the_next_call_as_token_unassigned_and_reassigning_restores_it()
    {
        var (account, workload, token) = await UsableTokenAsync();
        Assert.Equal(HttpStatusCode.OK, (await app.HandshakeAsync(token.Token)).StatusCode);

        await account.PatchTokenAsync(token.Id, new Dictionary<string, object?> { ["workloadId"] = null });
        await AssertRefusedAsync(await app.HandshakeAsync(token.Token), "token_unassigned");

        var other = await account.CreateWorkloadAsync("mistral");
        await account.PatchTokenAsync(token.Id, new { workloadId = other.Id });
        var handshake = await (await app.HandshakeAsync(token.Token)).ReadAsync<HandshakeResponse>();
        Assert.Equal(other.Id, handshake.Workload.Id);
        Assert.NotEqual(workload.Id, handshake.Workload.Id);
    }

    [Fact]
    public async Task An_unassigned_token_is_refused_until_it_is_assigned()
    {
        var account = await app.NewAccountAsync();
        var token = await account.CreateTokenAsync("parked");
        await AssertRefusedAsync(await app.HandshakeAsync(token.Token), "token_unassigned");

        var workload = await account.CreateWorkloadAsync("phi");
        await account.PatchTokenAsync(token.Id, new { workloadId = workload.Id });
        Assert.Equal(HttpStatusCode.OK, (await app.HandshakeAsync(token.Token)).StatusCode);
    }

    [Fact]
    public async Task Deleting_refuses_the_next_call_as_token_unknown()
    {
        var (account, _, token) = await UsableTokenAsync();
        Assert.Equal(HttpStatusCode.OK, (await app.HandshakeAsync(token.Token)).StatusCode);

        await account.Client.DeleteAsync($"/v1/tokens/{token.Id}").EnsureAsync(HttpStatusCode.NoContent);

        await AssertRefusedAsync(await app.HandshakeAsync(token.Token), "token_unknown");
    }

    [Fact]
    public async Task Deleting_the_workload_leaves_the_token_unassigned()
    {
        var (account, workload, token) = await UsableTokenAsync();
        Assert.Equal(HttpStatusCode.OK, (await app.HandshakeAsync(token.Token)).StatusCode);

        await account.Client.DeleteAsync($"/v1/workloads/{workload.Id}").EnsureAsync(HttpStatusCode.NoContent);

        await AssertRefusedAsync(await app.HandshakeAsync(token.Token), "token_unassigned");
        Assert.Null((await account.GetTokenAsync(token.Id)).WorkloadId);
    }

    [Fact]
    public async Task A_token_works_one_second_before_expiry_and_is_expired_from_then_on()
    {
        var (account, workload, token) = await UsableTokenAsync();
        var now = app.Time.GetUtcNow();
        app.Time.Advance(token.ExpiresAt - now - TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await app.HandshakeAsync(token.Token)).StatusCode);

        app.Time.Advance(TimeSpan.FromSeconds(1));
        await AssertRefusedAsync(await app.HandshakeAsync(token.Token), "token_expired");
        app.Time.Advance(TimeSpan.FromSeconds(1));
        await AssertRefusedAsync(await app.ClientWith(token.Token).GetAsync(QuerySide.AuthPath(workload.Id)), "token_expired");
        Assert.Equal("expired", (await account.GetTokenAsync(token.Id)).State);

        // Renewing an expired (active) token makes it usable again for a whole lifetime.
        var renewed = await (await account.Client.PostAsync($"/v1/tokens/{token.Id}/renew", null)).ReadAsync<TokenResponse>();
        Assert.Equal(app.Time.GetUtcNow() + TimeSpan.FromDays(30), renewed.ExpiresAt);
        Assert.Equal(HttpStatusCode.OK, (await app.HandshakeAsync(token.Token)).StatusCode);
    }

    [Fact]
    public async Task Shortening_the_expiry_takes_effect_on_the_next_call()
    {
        var (account, _, token) = await UsableTokenAsync();
        var soon = app.Time.GetUtcNow().AddSeconds(10);
        await account.PatchTokenAsync(token.Id, new { expiresAt = soon.ToString("O") });
        Assert.Equal(HttpStatusCode.OK, (await app.HandshakeAsync(token.Token)).StatusCode);

        app.Time.Advance(TimeSpan.FromSeconds(10));

        await AssertRefusedAsync(await app.HandshakeAsync(token.Token), "token_expired");
    }

    [Fact]
    public async Task Cancelled_wins_over_expired_and_unassigned()
    {
        var account = await app.NewAccountAsync();
        var token = await account.CreateTokenAsync("parked"); // unassigned
        await account.PatchTokenAsync(token.Id, new { status = "cancelled" });
        app.Time.Advance(TimeSpan.FromDays(31)); // and expired

        await AssertRefusedAsync(await app.HandshakeAsync(token.Token), "token_cancelled");
        Assert.Equal("cancelled", (await account.GetTokenAsync(token.Id)).State);
    }

    [Fact]
    public async Task Successful_calls_record_use_count_and_last_used_at_but_refusals_do_not()
    {
        var (account, workload, token) = await UsableTokenAsync();
        Assert.Equal(0, token.UseCount);
        Assert.Null(token.LastUsedAt);

        await app.HandshakeAsync(token.Token);
        app.Time.Advance(TimeSpan.FromMinutes(5));
        await app.ClientWith(token.Token).GetAsync(QuerySide.AuthPath(workload.Id)).EnsureAsync(HttpStatusCode.NoContent);
        await app.FlushUsageAsync();
        var used = await account.GetTokenAsync(token.Id);
        Assert.Equal(2, used.UseCount);
        Assert.Equal(app.Time.GetUtcNow(), used.LastUsedAt);
        Assert.Equal(token.Version, used.Version); // usage is not an edit: If-Match stays valid

        await account.PatchTokenAsync(token.Id, new { status = "cancelled" });
        await app.HandshakeAsync(token.Token);
        await app.FlushUsageAsync();
        Assert.Equal(2, (await account.GetTokenAsync(token.Id)).UseCount);
    }

    [Fact]
    public async Task A_query_token_is_not_a_license_key()
    {
        var (_, _, token) = await UsableTokenAsync();

        var response = await app.ClientWith(token.Token).GetAsync("/v1/tokens");

        await response.ProblemAsync(HttpStatusCode.Unauthorized, "license_key_malformed");
    }
}
