using System.Net;
using Tessera.Core.Secrets;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Abuse;

/// <summary>
/// Issue #7 §2: refused credentials are limited per client address (429, Retry-After, a problem),
/// a usable credential never is, and X-Forwarded-For names the client only behind a trusted proxy.
/// Each test speaks for its own client address, so budgets never leak between tests.
/// </summary>
public sealed class FailureLimitTests(TrustedProxyApp fixture) : IClassFixture<TrustedProxyApp>
{
    private readonly TesseraApp _app = fixture.App;

    [Fact]
    public async Task Refused_tokens_are_answered_401_until_the_budget_is_spent_then_429_with_retry_after()
    {
        var client = _app.ClientWith(SecretFormat.Generate(SecretKind.QueryToken));
        for (var i = 0; i < 5; i++)
        {
            await (await SendAsync(client, HttpMethod.Post, "/v1/handshake", "192.0.2.10")).ProblemAsync(HttpStatusCode.Unauthorized, "token_unknown");
        }

        var limited = await SendAsync(client, HttpMethod.Get, QuerySide.AuthPath(QuerySide.NoSuchWorkloadId), "192.0.2.10");

        var problem = await limited.ProblemAsync(HttpStatusCode.TooManyRequests, "too_many_failures");
        Assert.DoesNotContain("tsq_", problem.Detail, StringComparison.Ordinal);
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Assert.Equal("too_many_failures", limited.Headers.GetValues("X-Tessera-Error").Single());
        // Another address is not affected.
        await (await SendAsync(client, HttpMethod.Post, "/v1/handshake", "192.0.2.11")).ProblemAsync(HttpStatusCode.Unauthorized, "token_unknown");
    }

    [Fact]
    public async Task Every_kind_of_refused_token_counts_but_a_missing_one_does_not()
    {
        const string address = "192.0.2.20";
        var account = await _app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama-3");
        var cancelled = await account.CreateTokenAsync("cancelled", workload.Id);
        await account.PatchTokenAsync(cancelled.Id, new { status = "cancelled" });
        var unassigned = await account.CreateTokenAsync("unassigned");

        for (var i = 0; i < 10; i++)
        {
            await (await SendAsync(_app.ClientWith(null), HttpMethod.Post, "/v1/handshake", address)).ProblemAsync(HttpStatusCode.Unauthorized, "token_missing");
        }
        await (await SendAsync(_app.ClientWith("tsq_short"), HttpMethod.Post, "/v1/handshake", address)).ProblemAsync(HttpStatusCode.Unauthorized, "token_malformed");
        await (await SendAsync(_app.ClientWith(cancelled.Token), HttpMethod.Post, "/v1/handshake", address)).ProblemAsync(HttpStatusCode.Unauthorized, "token_cancelled");
        await (await SendAsync(_app.ClientWith(unassigned.Token), HttpMethod.Get, QuerySide.AuthPath(workload.Id), address)).ProblemAsync(HttpStatusCode.Unauthorized, "token_unassigned");
        await (await SendAsync(_app.ClientWith(SecretFormat.Generate(SecretKind.QueryToken)), HttpMethod.Get, QuerySide.AuthPath(workload.Id), address)).ProblemAsync(HttpStatusCode.Unauthorized, "token_unknown");
        await (await SendAsync(_app.ClientWith("tsl_not_a_query_token"), HttpMethod.Get, QuerySide.AuthPath(workload.Id), address)).ProblemAsync(HttpStatusCode.Unauthorized, "token_malformed");

        await (await SendAsync(_app.ClientWith(cancelled.Token), HttpMethod.Post, "/v1/handshake", address)).ProblemAsync(HttpStatusCode.TooManyRequests, "too_many_failures");
    }

    [Fact]
    public async Task A_usable_token_is_never_refused_from_an_address_over_its_limit()
    {
        const string gateway = "192.0.2.30";
        var account = await _app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama-3");
        var usable = _app.ClientWith((await account.CreateTokenAsync("alice", workload.Id)).Token);
        await SendAsync(usable, HttpMethod.Get, QuerySide.AuthPath(workload.Id), gateway).EnsureAsync(HttpStatusCode.NoContent);

        var stranger = _app.ClientWith(SecretFormat.Generate(SecretKind.QueryToken));
        for (var i = 0; i < 5; i++)
        {
            await SendAsync(stranger, HttpMethod.Get, QuerySide.AuthPath(workload.Id), gateway).EnsureAsync(HttpStatusCode.Unauthorized);
        }
        await SendAsync(stranger, HttpMethod.Get, QuerySide.AuthPath(workload.Id), gateway).EnsureAsync(HttpStatusCode.TooManyRequests);

        for (var i = 0; i < 20; i++)
        {
            await SendAsync(usable, HttpMethod.Get, QuerySide.AuthPath(workload.Id), gateway).EnsureAsync(HttpStatusCode.NoContent);
            await SendAsync(usable, HttpMethod.Post, "/v1/handshake", gateway).EnsureAsync(HttpStatusCode.OK);
            await SendAsync(stranger, HttpMethod.Get, QuerySide.AuthPath(workload.Id), gateway).EnsureAsync(HttpStatusCode.TooManyRequests);
        }
        await _app.FlushUsageAsync();
        Assert.Equal(41, (await account.ListTokensAsync()).Items.Single().UseCount);
    }

    [Fact]
    public async Task A_token_shown_at_another_workloads_gateway_counts_as_a_failure_but_the_right_workload_still_passes()
    {
        const string gateway = "192.0.2.60";
        var account = await _app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama-3");
        var other = await account.CreateWorkloadAsync("mistral");
        var token = await account.CreateTokenAsync("alice", workload.Id);
        var client = _app.ClientWith(token.Token);

        for (var i = 0; i < 5; i++)
        {
            await (await SendAsync(client, HttpMethod.Get, QuerySide.AuthPath(other.Id), gateway)).ProblemAsync(HttpStatusCode.Forbidden, "token_wrong_workload");
        }
        var limited = await SendAsync(client, HttpMethod.Get, QuerySide.AuthPath(other.Id), gateway);

        await limited.ProblemAsync(HttpStatusCode.TooManyRequests, "too_many_failures");
        Assert.Equal("too_many_failures", limited.Headers.GetValues("X-Tessera-Error").Single());
        // The same token at its own workload's gateway, from the same address, is never refused.
        await SendAsync(client, HttpMethod.Get, QuerySide.AuthPath(workload.Id), gateway).EnsureAsync(HttpStatusCode.NoContent);
        await SendAsync(client, HttpMethod.Get, QuerySide.AuthPath(other.Id), gateway).EnsureAsync(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Refused_license_keys_are_limited_a_valid_key_is_not_and_the_window_reopens_after_retry_after()
    {
        const string address = "192.0.2.40";
        var account = await _app.NewAccountAsync();
        var forged = _app.ClientWith(SecretFormat.Generate(SecretKind.LicenseKey));
        for (var i = 0; i < 3; i++)
        {
            await (await SendAsync(forged, HttpMethod.Get, "/v1/account", address)).ProblemAsync(HttpStatusCode.Unauthorized, "license_key_invalid");
        }
        await SendAsync(_app.ClientWith(null), HttpMethod.Get, "/v1/account", address).EnsureAsync(HttpStatusCode.Unauthorized); // missing: not counted

        var limited = await SendAsync(forged, HttpMethod.Get, "/v1/tokens", address);
        await limited.ProblemAsync(HttpStatusCode.TooManyRequests, "too_many_failures");
        await SendAsync(account.Client, HttpMethod.Get, "/v1/account", address).EnsureAsync(HttpStatusCode.OK);

        // After Retry-After the budget is back: the next refusal is a 401 again, not a 429.
        await Task.Delay(limited.Headers.RetryAfter!.Delta!.Value, TestContext.Current.CancellationToken);
        var status = HttpStatusCode.TooManyRequests;
        for (var attempt = 0; attempt < 50 && status == HttpStatusCode.TooManyRequests; attempt++)
        {
            status = (await SendAsync(forged, HttpMethod.Get, "/v1/account", address)).StatusCode;
            if (status == HttpStatusCode.TooManyRequests)
            {
                await Task.Delay(200, TestContext.Current.CancellationToken); // the limiter replenishes on its own 100 ms tick
            }
        }
        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_the_client_is_the_rightmost_untrusted_hop_so_a_spoofed_prefix_gains_nothing()
    {
        var client = _app.ClientWith(SecretFormat.Generate(SecretKind.QueryToken));
        for (var i = 0; i < 5; i++)
        {
            // The client wrote its own X-Forwarded-For; the trusted proxy appended the address it saw.
            await SendAsync(client, HttpMethod.Get, QuerySide.AuthPath(QuerySide.NoSuchWorkloadId), $"198.51.100.{i}, 192.0.2.50").EnsureAsync(HttpStatusCode.Unauthorized);
        }

        await SendAsync(client, HttpMethod.Get, QuerySide.AuthPath(QuerySide.NoSuchWorkloadId), "198.51.100.99, 192.0.2.50").EnsureAsync(HttpStatusCode.TooManyRequests);
    }

    internal static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string url, string forwardedFor)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
        return client.SendAsync(request);
    }
}
