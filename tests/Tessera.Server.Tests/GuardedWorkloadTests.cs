using System.Net;
using Tessera.Contracts;
using Tessera.Core.Secrets;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// API.md §4 (v1.1): GET /v1/auth is told which workload the gateway guards (query parameter <c>workload</c> or
/// header <c>X-Tessera-Workload</c>), says 400 when it is not told or told ambiguously, and lets a token through
/// only to its own workload: any other id, of this account, another account or none, is 403 token_wrong_workload,
/// checked after every 401 reason, never counted as a use, and counted in /metrics.
/// </summary>
public abstract class GuardedWorkloadTests(TesseraApp app)
{
    [Collection(ProcessWideMetrics.Name)]
    public sealed class OnSqlite(TesseraApp app) : GuardedWorkloadTests(app), IClassFixture<TesseraApp>;

    [Collection(ProcessWideMetrics.Name)]
    public sealed class OnPostgres(PostgresTesseraApp app) : GuardedWorkloadTests(app.Require()), IClassFixture<PostgresTesseraApp>;

    private const string WorkloadHeader = "X-Tessera-Workload";

    private async Task<(TestAccount Account, WorkloadResponse Workload, WorkloadResponse Other, CreatedTokenResponse Token)> TokenAndTwoWorkloadsAsync()
    {
        var account = await app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama-3");
        var other = await account.CreateWorkloadAsync("mistral");
        var token = await account.CreateTokenAsync("alice", workload.Id);
        return (account, workload, other, token);
    }

    /// <summary>GET /v1/auth with <paramref name="pathAndQuery"/> and each of <paramref name="headerValues"/> as one X-Tessera-Workload line.</summary>
    private Task<HttpResponseMessage> AuthAsync(string? secret, string pathAndQuery, params string[] headerValues)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        if (headerValues.Length > 0)
        {
            request.Headers.TryAddWithoutValidation(WorkloadHeader, headerValues);
        }
        return app.ClientWith(secret).SendAsync(request);
    }

    private static void AssertPassed(HttpResponseMessage response, CreatedTokenResponse token, string workloadId)
    {
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(token.Id, response.Headers.GetValues("X-Tessera-Token-Id").Single());
        Assert.Equal(workloadId, response.Headers.GetValues("X-Tessera-Workload-Id").Single());
    }

    /// <summary>403 as RFC 6750 says for a valid token that does not cover the resource; it tells nothing of the token's own workload.</summary>
    private static async Task AssertWrongWorkloadAsync(HttpResponseMessage response, string tokensWorkloadId)
    {
        var problem = await response.ProblemAsync(HttpStatusCode.Forbidden, "token_wrong_workload");
        Assert.Equal("Bearer error=\"insufficient_scope\"", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal("token_wrong_workload", response.Headers.GetValues("X-Tessera-Error").Single());
        Assert.False(response.Headers.Contains("X-Tessera-Token-Id"));
        Assert.False(response.Headers.Contains("X-Tessera-Workload-Id"));
        Assert.DoesNotContain(tokensWorkloadId, problem.Detail ?? "", StringComparison.Ordinal);
        Assert.DoesNotContain(tokensWorkloadId, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string code)
    {
        await response.ProblemAsync(HttpStatusCode.Unauthorized, code);
        Assert.Equal("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal(code, response.Headers.GetValues("X-Tessera-Error").Single());
    }

    [Fact]
    public async Task A_gateway_that_names_no_workload_lets_nobody_in_400_workload_required()
    {
        var (_, workload, _, token) = await TokenAndTwoWorkloadsAsync();

        await (await AuthAsync(token.Token, "/v1/auth")).ProblemAsync(HttpStatusCode.BadRequest, "workload_required");
        // An empty value is no value.
        await (await AuthAsync(token.Token, "/v1/auth?workload=")).ProblemAsync(HttpStatusCode.BadRequest, "workload_required");
        await (await AuthAsync(token.Token, "/v1/auth", "")).ProblemAsync(HttpStatusCode.BadRequest, "workload_required");
        await (await AuthAsync(token.Token, "/v1/auth?workload=", "")).ProblemAsync(HttpStatusCode.BadRequest, "workload_required");
        // Another parameter is not the workload parameter.
        await (await AuthAsync(token.Token, $"/v1/auth?workloadId={workload.Id}")).ProblemAsync(HttpStatusCode.BadRequest, "workload_required");

        AssertPassed(await AuthAsync(token.Token, QuerySide.AuthPath(workload.Id)), token, workload.Id);
    }

    [Fact]
    public async Task Naming_the_workload_twice_differently_or_repeating_it_is_400_workload_conflict()
    {
        var (_, workload, other, token) = await TokenAndTwoWorkloadsAsync();

        await (await AuthAsync(token.Token, QuerySide.AuthPath(workload.Id), other.Id)).ProblemAsync(HttpStatusCode.BadRequest, "workload_conflict");
        await (await AuthAsync(token.Token, QuerySide.AuthPath(other.Id), workload.Id)).ProblemAsync(HttpStatusCode.BadRequest, "workload_conflict");
        await (await AuthAsync(token.Token, $"/v1/auth?workload={workload.Id}&workload={other.Id}")).ProblemAsync(HttpStatusCode.BadRequest, "workload_conflict");
        await (await AuthAsync(token.Token, $"/v1/auth?workload={workload.Id}&workload={workload.Id}")).ProblemAsync(HttpStatusCode.BadRequest, "workload_conflict");
        await (await AuthAsync(token.Token, "/v1/auth", workload.Id, other.Id)).ProblemAsync(HttpStatusCode.BadRequest, "workload_conflict");
        await (await AuthAsync(token.Token, "/v1/auth", workload.Id, workload.Id)).ProblemAsync(HttpStatusCode.BadRequest, "workload_conflict");
        // Two header lines a proxy joined into one: the parts are two values, not one unknown id.
        var joined = await AuthAsync(token.Token, "/v1/auth", $"{workload.Id}, {other.Id}");
        await joined.ProblemAsync(HttpStatusCode.BadRequest, "workload_conflict");
        // auth_request drops the body: the reason is in the header too.
        Assert.Equal("workload_conflict", joined.Headers.GetValues("X-Tessera-Error").Single());
    }

    [Fact]
    public async Task The_same_id_as_parameter_and_header_passes()
    {
        var (_, workload, _, token) = await TokenAndTwoWorkloadsAsync();

        AssertPassed(await AuthAsync(token.Token, QuerySide.AuthPath(workload.Id), workload.Id), token, workload.Id);
    }

    [Fact]
    public async Task The_header_alone_names_the_workload_for_gateways_that_cannot_add_a_query_string()
    {
        var (_, workload, other, token) = await TokenAndTwoWorkloadsAsync();

        AssertPassed(await AuthAsync(token.Token, "/v1/auth", workload.Id), token, workload.Id);
        // An empty parameter beside it counts as absent.
        AssertPassed(await AuthAsync(token.Token, "/v1/auth?workload=", workload.Id), token, workload.Id);
        await AssertWrongWorkloadAsync(await AuthAsync(token.Token, "/v1/auth", other.Id), workload.Id);
    }

    [Theory]
    [InlineData("llama-3")]
    [InlineData("WL_0123456789abcdef0123456789abcdef")]
    [InlineData("wl")]
    [InlineData("tok_0123456789abcdef0123456789abcdef")]
    public async Task A_workload_named_other_than_by_its_id_is_400_workload_malformed(string named)
    {
        var (_, _, _, token) = await TokenAndTwoWorkloadsAsync();

        await (await AuthAsync(token.Token, QuerySide.AuthPath(named))).ProblemAsync(HttpStatusCode.BadRequest, "workload_malformed");
        await (await AuthAsync(token.Token, "/v1/auth", named)).ProblemAsync(HttpStatusCode.BadRequest, "workload_malformed");
    }

    [Fact]
    public async Task A_usable_token_of_another_workload_of_the_same_account_is_403_token_wrong_workload()
    {
        var (account, workload, other, token) = await TokenAndTwoWorkloadsAsync();
        AssertPassed(await AuthAsync(token.Token, QuerySide.AuthPath(workload.Id)), token, workload.Id); // remembered as passing

        await AssertWrongWorkloadAsync(await AuthAsync(token.Token, QuerySide.AuthPath(other.Id)), workload.Id);

        // And the other way round: the other workload's token at the first one's door.
        var others = await account.CreateTokenAsync("bob", other.Id);
        await AssertWrongWorkloadAsync(await AuthAsync(others.Token, QuerySide.AuthPath(workload.Id)), other.Id);
        AssertPassed(await AuthAsync(others.Token, QuerySide.AuthPath(other.Id)), others, other.Id);
        // The query client's handshake names no workload and is not affected.
        Assert.Equal(workload.Id, (await app.HandshakeOkAsync(token.Token)).Workload.Id);
    }

    [Fact]
    public async Task A_usable_token_at_the_door_of_another_accounts_workload_is_403_token_wrong_workload()
    {
        var (_, workload, _, token) = await TokenAndTwoWorkloadsAsync();
        var stranger = await app.NewAccountAsync("Other provider");
        var theirs = await stranger.CreateWorkloadAsync("llama-3"); // the same name, another account
        var theirToken = await stranger.CreateTokenAsync("eve", theirs.Id);

        await AssertWrongWorkloadAsync(await AuthAsync(token.Token, QuerySide.AuthPath(theirs.Id)), workload.Id);
        await AssertWrongWorkloadAsync(await AuthAsync(theirToken.Token, QuerySide.AuthPath(workload.Id)), theirs.Id);
        await AssertWrongWorkloadAsync(await AuthAsync(token.Token, "/v1/auth", theirs.Id), workload.Id);
    }

    [Fact]
    public async Task An_id_no_workload_has_is_403_like_any_other_wrong_workload_so_ids_cannot_be_probed()
    {
        var (account, workload, other, token) = await TokenAndTwoWorkloadsAsync();
        await account.Client.DeleteAsync($"/v1/workloads/{other.Id}").EnsureAsync(HttpStatusCode.NoContent);

        List<string> ids = [QuerySide.NoSuchWorkloadId, other.Id /* deleted */, "wl_", "wl_nope", workload.Id + "0"];
        var shouted = "wl_" + workload.Id[3..].ToUpperInvariant();
        if (shouted != workload.Id)
        {
            ids.Add(shouted); // ids are compared exactly (an id of digits only has no other case)
        }
        foreach (var id in ids)
        {
            await AssertWrongWorkloadAsync(await AuthAsync(token.Token, QuerySide.AuthPath(id)), workload.Id);
        }
        AssertPassed(await AuthAsync(token.Token, QuerySide.AuthPath(workload.Id)), token, workload.Id);
    }

    [Fact]
    public async Task Every_401_reason_comes_before_the_workload_check()
    {
        var (account, workload, other, token) = await TokenAndTwoWorkloadsAsync();
        var cancelled = await account.CreateTokenAsync("cancelled", workload.Id);
        await account.PatchTokenAsync(cancelled.Id, new { status = "cancelled" });
        var unassigned = await account.CreateTokenAsync("unassigned");
        var expiring = await account.CreateTokenAsync("expiring", workload.Id);
        await account.PatchTokenAsync(expiring.Id, new { expiresAt = app.Time.GetUtcNow().AddSeconds(1) });
        var deleted = await account.CreateTokenAsync("deleted", workload.Id);
        await account.Client.DeleteAsync($"/v1/tokens/{deleted.Id}").EnsureAsync(HttpStatusCode.NoContent);
        app.Time.Advance(TimeSpan.FromSeconds(1));

        foreach (var wrong in new[] { other.Id, QuerySide.NoSuchWorkloadId })
        {
            await AssertRefusedAsync(await AuthAsync(null, QuerySide.AuthPath(wrong)), "token_missing");
            await AssertRefusedAsync(await AuthAsync("tsq_not-a-token", QuerySide.AuthPath(wrong)), "token_malformed");
            await AssertRefusedAsync(await AuthAsync(SecretFormat.Generate(SecretKind.QueryToken), QuerySide.AuthPath(wrong)), "token_unknown");
            await AssertRefusedAsync(await AuthAsync(deleted.Token, QuerySide.AuthPath(wrong)), "token_unknown");
            await AssertRefusedAsync(await AuthAsync(cancelled.Token, QuerySide.AuthPath(wrong)), "token_cancelled");
            await AssertRefusedAsync(await AuthAsync(expiring.Token, QuerySide.AuthPath(wrong)), "token_expired");
            await AssertRefusedAsync(await AuthAsync(unassigned.Token, QuerySide.AuthPath(wrong)), "token_unassigned");
        }
        await AssertWrongWorkloadAsync(await AuthAsync(token.Token, QuerySide.AuthPath(other.Id)), workload.Id);
    }

    [Fact]
    public async Task A_wrong_workload_answer_is_not_a_use()
    {
        var (account, workload, other, token) = await TokenAndTwoWorkloadsAsync();

        for (var i = 0; i < 3; i++)
        {
            await AssertWrongWorkloadAsync(await AuthAsync(token.Token, QuerySide.AuthPath(other.Id)), workload.Id);
        }
        await app.FlushUsageAsync();
        var stored = await account.GetTokenAsync(token.Id);
        Assert.Equal(0, stored.UseCount);
        Assert.Null(stored.LastUsedAt);

        // A pass right after is one, so uses are counted here at all.
        AssertPassed(await AuthAsync(token.Token, QuerySide.AuthPath(workload.Id)), token, workload.Id);
        await AssertWrongWorkloadAsync(await AuthAsync(token.Token, QuerySide.AuthPath(other.Id)), workload.Id);
        await app.FlushUsageAsync();
        Assert.Equal(1, (await account.GetTokenAsync(token.Id)).UseCount);
    }

    [Fact]
    public async Task Metrics_count_wrong_workload_answers_by_their_own_result()
    {
        var (_, workload, other, token) = await TokenAndTwoWorkloadsAsync();
        await AssertWrongWorkloadAsync(await AuthAsync(token.Token, QuerySide.AuthPath(other.Id)), workload.Id);

        var metrics = await app.ScrapeMetricsAsync();

        Assert.Matches("tessera_verifications_total\\{[^}]*result=\"token_wrong_workload\"[^}]*\\} [1-9]", metrics);
        Assert.DoesNotContain(other.Id, metrics, StringComparison.Ordinal);
    }
}
