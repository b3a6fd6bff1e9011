using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Tessera.Contracts;
using Tessera.Core.Secrets;

namespace Tessera.Gateway.Tests;

/// <summary>
/// Issue 16 with real processes: examples/yarp-gateway (Tessera.Gateway) in front of a stub model, following one of
/// two Tessera servers on PostgreSQL. What passes reaches the model with the two headers and without the secret, and
/// streams; what is refused is refused exactly as GET /v1/auth refuses it; a change through the other server reaches
/// the gateway within the 1 s bound; uses come back to useCount.
/// </summary>
public sealed class YarpGatewayTests : IClassFixture<GatewayRig>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(1);
    private readonly GatewayRig _rig;

    public YarpGatewayTests(GatewayRig rig)
    {
        TestPostgres.Require();
        _rig = rig;
    }

    [Fact]
    public async Task A_usable_token_of_the_guarded_workload_reaches_the_model_with_the_two_headers_and_without_its_secret()
    {
        var token = await _rig.CreateTokenAsync(_rig.B, _rig.WorkloadId);
        using var client = GatewayRig.Client(_rig.Gateway, token.Token);
        await UntilPassesAsync(client);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat") { Content = new StringContent("{\"prompt\":\"hello\"}", Encoding.UTF8, "application/json") };
        // A client cannot speak for Tessera: whatever it sends in these headers is replaced.
        request.Headers.Add("X-Tessera-Token-Id", "tok_00000000000000000000000000000000");
        request.Headers.Add("X-Tessera-Workload-Id", _rig.OtherWorkloadId);
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(string.Concat(Enumerable.Range(0, StubModel.Pieces).Select(StubModel.Piece)), await response.Content.ReadAsStringAsync());
        var seen = _rig.Model.Requests.Last(r => r[StubModel.PathKey] == "/v1/chat");
        Assert.Equal(token.Id, seen["X-Tessera-Token-Id"]);
        Assert.Equal(_rig.WorkloadId, seen["X-Tessera-Workload-Id"]);
        Assert.False(seen.ContainsKey("Authorization"), "The model must never see the query token.");
        Assert.DoesNotContain(seen.Values, v => v.Contains(token.Token, StringComparison.Ordinal));
        Assert.DoesNotContain(token.Token, _rig.Gateway.Stdout + _rig.Gateway.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_long_answer_streams_through_the_gateway_piece_by_piece()
    {
        var token = await _rig.CreateTokenAsync(_rig.A, _rig.WorkloadId);
        using var client = GatewayRig.Client(_rig.Gateway, token.Token);
        await UntilPassesAsync(client);
        _rig.Model.ResetStream();

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/v1/stream"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync();
        // The model holds the rest of its answer until the first piece has arrived here: a gateway that buffered
        // the answer would never deliver it (the guard only turns that hang into a failure).
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        guard.CancelAfter(TimeSpan.FromMinutes(2));
        var first = StubModel.Piece(0);
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (received.Length < first.Length)
        {
            var read = await body.ReadAsync(buffer, guard.Token);
            Assert.True(read > 0, "The answer ended before its first piece.");
            received.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
        Assert.Equal(first, received.ToString());
        _rig.Model.ReleaseStream();
        int more;
        while ((more = await body.ReadAsync(buffer, guard.Token)) > 0)
        {
            received.Append(Encoding.UTF8.GetString(buffer, 0, more));
        }
        Assert.Equal(string.Concat(Enumerable.Range(0, StubModel.Pieces).Select(StubModel.Piece)), received.ToString());
    }

    [Fact]
    public async Task Every_refusal_is_the_one_Tessera_gives_at_v1_auth_and_never_reaches_the_model()
    {
        var wrongWorkload = await _rig.CreateTokenAsync(_rig.A, _rig.OtherWorkloadId, "other");
        var cancelled = await _rig.CreateTokenAsync(_rig.A, _rig.WorkloadId, "cancelled");
        var unassigned = await _rig.CreateTokenAsync(_rig.A, _rig.WorkloadId, "unassigned");
        var expired = await _rig.CreateTokenAsync(_rig.A, _rig.WorkloadId, "expired");
        using var manager = _rig.Manager(_rig.A);
        await (await manager.PatchJsonAsync($"/v1/tokens/{cancelled.Id}", new { status = "cancelled" })).ReadAsync<TokenResponse>();
        await (await manager.PatchJsonAsync($"/v1/tokens/{unassigned.Id}", new { workloadId = (string?)null })).ReadAsync<TokenResponse>();
        await (await manager.PatchJsonAsync($"/v1/tokens/{expired.Id}", new { expiresAt = TimeProvider.System.GetUtcNow().AddMilliseconds(300) })).ReadAsync<TokenResponse>();

        var cases = new (string Name, string? Authorization, string Code)[]
        {
            ("missing", null, "token_missing"),
            ("other scheme", "Basic dXNlcjpwYXNz", "token_missing"),
            ("malformed", "Bearer tsq_notatoken", "token_malformed"),
            ("license key", $"Bearer {_rig.BootstrapKey}", "token_malformed"),
            ("unknown", $"Bearer {SecretFormat.Generate(SecretKind.QueryToken)}", "token_unknown"),
            ("cancelled", $"Bearer {cancelled.Token}", "token_cancelled"),
            ("unassigned", $"Bearer {unassigned.Token}", "token_unassigned"),
            ("expired", $"Bearer {expired.Token}", "token_expired"),
            ("wrong workload", $"Bearer {wrongWorkload.Token}", "token_wrong_workload"),
        };
        using var plain = new HttpClient { BaseAddress = _rig.Gateway.BaseAddress };
        using var tessera = new HttpClient { BaseAddress = _rig.A.BaseAddress };
        foreach (var (_, authorization, code) in cases)
        {
            // The changes above reach the gateway through the feed (and the expiry its clock): wait for each to show
            // (the bound is another test's). Until then these tokens are usable and do reach the model.
            await Poll.UntilAsync(() => SendAsync(plain, HttpMethod.Get, "/v1/ping", authorization),
                r => r.Headers.TryGetValues("X-Tessera-Error", out var e) && e.Single() == code);
        }
        var before = _rig.Model.Count;
        foreach (var (name, authorization, code) in cases)
        {
            var fromGateway = await SendAsync(plain, HttpMethod.Post, "/v1/chat", authorization);
            var fromTessera = await SendAsync(tessera, HttpMethod.Get, QueryPath(_rig.WorkloadId), authorization);

            Assert.True(fromTessera.Headers.TryGetValues("X-Tessera-Error", out var tesseraCode) && tesseraCode.Single() == code, $"{name}: Tessera said {fromTessera.StatusCode}");
            Assert.Equal(fromTessera.StatusCode, fromGateway.StatusCode);
            Assert.Equal(fromTessera.Headers.WwwAuthenticate.ToString(), fromGateway.Headers.WwwAuthenticate.ToString());
            Assert.Equal(code, fromGateway.Headers.GetValues("X-Tessera-Error").Single());
            Assert.Equal("application/problem+json", fromGateway.Content.Headers.ContentType?.MediaType);
            var gatewayProblem = await ProblemOf(fromGateway);
            var tesseraProblem = await ProblemOf(fromTessera);
            Assert.Equal(code, gatewayProblem.Code);
            Assert.Equal(tesseraProblem with { TraceId = null }, gatewayProblem with { TraceId = null });
            Assert.False(string.IsNullOrEmpty(gatewayProblem.TraceId), $"{name}: the gateway's problem carries no traceId");
        }
        Assert.Equal(before, _rig.Model.Count);
    }

    [Fact]
    public async Task A_cancel_delete_unassign_or_expiry_through_another_Tessera_server_is_refused_by_the_gateway_within_one_second()
    {
        using var managerB = _rig.Manager(_rig.B);
        var rounds = int.TryParse(Environment.GetEnvironmentVariable("TESSERA_PROPAGATION_ROUNDS"), CultureInfo.InvariantCulture, out var r) ? r : 2;
        var samples = new List<(string Change, string Secret, string Code, DateTimeOffset ChangedAt, TimeSpan Propagation)>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (change, code) in new[] { ("cancel", "token_cancelled"), ("delete", "token_unknown"), ("unassign", "token_unassigned"), ("expiry", "token_expired") })
            {
                var token = await _rig.CreateTokenAsync(_rig.B, _rig.WorkloadId, $"{change}-{round}");
                using var client = GatewayRig.Client(_rig.Gateway, token.Token);
                await UntilPassesAsync(client);
                for (var i = 0; i < 5; i++)
                {
                    Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/ping")).StatusCode);
                }

                var changedAt = await ChangeAsync(managerB, token.Id, change);
                TimeSpan propagation;
                while (true)
                {
                    var response = await client.GetAsync("/v1/ping");
                    if (response.StatusCode == HttpStatusCode.Unauthorized)
                    {
                        propagation = TimeProvider.System.GetUtcNow() - changedAt;
                        Assert.Equal(code, response.Headers.GetValues("X-Tessera-Error").Single());
                        break;
                    }
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    await Task.Delay(2);
                }
                samples.Add((change, token.Token, code, changedAt, propagation));
            }
        }

        // The bound (API.md §4, as TwoServerTests asserts it for servers): a second after each change, refused for that reason.
        var wait = samples.Max(s => s.ChangedAt) + Bound - TimeProvider.System.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
        foreach (var sample in samples)
        {
            using var client = GatewayRig.Client(_rig.Gateway, sample.Secret);
            var response = await client.GetAsync("/v1/ping");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal(sample.Code, response.Headers.GetValues("X-Tessera-Error").Single());
        }
        Report(samples.Select(s => (s.Change, s.Propagation)).ToList());
    }

    [Fact]
    public async Task Uses_the_gateway_lets_through_reach_useCount_and_lastUsedAt()
    {
        var token = await _rig.CreateTokenAsync(_rig.A, _rig.WorkloadId, "counted");
        using var client = GatewayRig.Client(_rig.Gateway, token.Token);
        var passed = await UntilPassesAsync(client);
        const int calls = 40;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            for (var i = 0; i < calls / 4; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/ping")).StatusCode);
            }
        }));
        var lastCall = TimeProvider.System.GetUtcNow();

        using var managerB = _rig.Manager(_rig.B);
        var (read, _) = await Poll.UntilAsync(async () => await (await managerB.GetAsync($"/v1/tokens/{token.Id}")).ReadAsync<TokenResponse>(),
            t => t.UseCount >= calls + passed);
        Assert.Equal(calls + passed, read.UseCount);
        Assert.NotNull(read.LastUsedAt);
        Assert.True(read.LastUsedAt <= lastCall.AddSeconds(1), $"lastUsedAt {read.LastUsedAt:O} after the last call {lastCall:O}");
        Assert.True(read.LastUsedAt >= read.CreatedAt);
    }

    [Fact]
    public async Task A_gateway_started_while_a_thousand_tokens_are_being_cancelled_loses_none_of_the_cancels()
    {
        using var managerA = _rig.Manager(_rig.A);
        using var managerB = _rig.Manager(_rig.B);
        var tokens = await ImportAsync(managerA, 1_000);
        var sentinel = await _rig.CreateTokenAsync(_rig.A, _rig.WorkloadId, "sentinel");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = 0;

        // Cancels through both servers, four at a time; the last hundred wait until the new gateway is ready, so the
        // cancels run from before the gateway starts until after its snapshot.
        var queue = new Queue<(string Id, string Secret)>(tokens);
        var cancelling = Task.WhenAll(Enumerable.Range(0, 4).Select(async worker =>
        {
            var manager = worker % 2 == 0 ? managerA : managerB;
            while (true)
            {
                (string Id, string Secret) next;
                lock (queue)
                {
                    if (!queue.TryDequeue(out next))
                    {
                        return;
                    }
                }
                if (Volatile.Read(ref cancelled) >= tokens.Count - 100)
                {
                    await ready.Task;
                }
                await (await manager.PatchJsonAsync($"/v1/tokens/{next.Id}", new { status = "cancelled" })).ReadAsync<TokenResponse>();
                Interlocked.Increment(ref cancelled);
            }
        }));
        while (Volatile.Read(ref cancelled) < 200)
        {
            await Task.Delay(10);
        }
        var startedAfter = Volatile.Read(ref cancelled);
        var gateway = _rig.Track(await GatewayProcess.StartAsync(_rig.A.BaseAddress, _rig.GatewayKey, _rig.Model.BaseAddress, _rig.WorkloadId));
        var readyAfter = Volatile.Read(ref cancelled);
        ready.SetResult();
        await cancelling;
        Assert.True(readyAfter < tokens.Count, $"The cancels ended ({readyAfter}) before the gateway was ready: no overlap to test.");
        TestContext.Current.TestOutputHelper?.WriteLine($"cancels done when the gateway started: {startedAfter}; when it was ready: {readyAfter}");

        // The sentinel is cancelled after every other cancel committed: once the gateway refuses it, it has them all.
        await (await managerA.PatchJsonAsync($"/v1/tokens/{sentinel.Id}", new { status = "cancelled" })).ReadAsync<TokenResponse>();
        using var sentinelClient = GatewayRig.Client(gateway, sentinel.Token);
        var (last, _) = await Poll.UntilAsync(() => sentinelClient.GetAsync("/v1/ping"), r => r.StatusCode == HttpStatusCode.Unauthorized);
        Assert.Equal("token_cancelled", last.Headers.GetValues("X-Tessera-Error").Single());

        using var plain = new HttpClient { BaseAddress = gateway.BaseAddress };
        var passed = new List<string>();
        foreach (var (id, secret) in tokens)
        {
            var response = await SendAsync(plain, HttpMethod.Get, "/v1/ping", $"Bearer {secret}");
            if (response.StatusCode != HttpStatusCode.Unauthorized || response.Headers.GetValues("X-Tessera-Error").Single() != "token_cancelled")
            {
                passed.Add($"{id}: {(int)response.StatusCode}");
            }
        }
        Assert.True(passed.Count == 0, $"{passed.Count} cancelled tokens not refused as cancelled: {string.Join(", ", passed.Take(10))}");
    }

    /// <summary>Imports <paramref name="count"/> tokens of the guarded workload; their ids and secrets.</summary>
    private async Task<List<(string Id, string Secret)>> ImportAsync(HttpClient manager, int count)
    {
        var csv = new StringBuilder("name,workloadId\n");
        for (var i = 0; i < count; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"bulk-{i},{_rig.WorkloadId}\n");
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/tokens/import") { Content = new StringContent(csv.ToString(), Encoding.UTF8, "text/csv") };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var response = await manager.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var rows = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("row,id,name,workloadId,token", rows[0]);
        var tokens = rows.Skip(1).Select(line => line.Split(',')).Select(f => (f[1], f[4])).ToList();
        Assert.Equal(count, tokens.Count);
        return tokens;
    }

    /// <summary>Asks until the gateway lets the client's token through (a new token reaches it by the feed); returns how many passed.</summary>
    private static async Task<int> UntilPassesAsync(HttpClient client)
    {
        var (status, _) = await Poll.UntilAsync(async () => (await client.GetAsync("/v1/ping")).StatusCode, s => s == HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, status);
        return 1;
    }

    private static string QueryPath(string workloadId) => $"/v1/auth?workload={Uri.EscapeDataString(workloadId)}";

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string? authorization)
    {
        var request = new HttpRequestMessage(method, path);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }
        return client.SendAsync(request);
    }

    private static async Task<ProblemResponse> ProblemOf(HttpResponseMessage response) =>
        JsonSerializer.Deserialize<ProblemResponse>(await response.Content.ReadAsStringAsync(), HttpExtensions.Json)!;

    private static async Task<DateTimeOffset> ChangeAsync(HttpClient manager, string tokenId, string change)
    {
        switch (change)
        {
            case "cancel":
                await (await manager.PatchJsonAsync($"/v1/tokens/{tokenId}", new { status = "cancelled" })).ReadAsync<TokenResponse>();
                return TimeProvider.System.GetUtcNow();
            case "delete":
                await manager.DeleteAsync($"/v1/tokens/{tokenId}").EnsureAsync(HttpStatusCode.NoContent);
                return TimeProvider.System.GetUtcNow();
            case "unassign":
                await (await manager.PatchJsonAsync($"/v1/tokens/{tokenId}", new { workloadId = (string?)null })).ReadAsync<TokenResponse>();
                return TimeProvider.System.GetUtcNow();
            default:
                // Expiry is a change nobody makes: the token reaches its expiresAt, set a little ahead; the gateway judges it on its own clock.
                var expiresAt = TimeProvider.System.GetUtcNow().AddMilliseconds(700);
                return (await (await manager.PatchJsonAsync($"/v1/tokens/{tokenId}", new { expiresAt })).ReadAsync<TokenResponse>()).ExpiresAt;
        }
    }

    private static void Report(List<(string Change, TimeSpan Propagation)> samples)
    {
        static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture);
        var lines = samples.GroupBy(s => s.Change).Append(samples.GroupBy(_ => "all").Single()).Select(g =>
        {
            var sorted = g.Select(s => s.Propagation).Order().ToList();
            TimeSpan At(double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
            return $"gateway {g.Key}\t{sorted.Count}\t{Ms(sorted[0])}\t{Ms(At(0.5))}\t{Ms(At(0.99))}\t{Ms(sorted[^1])}";
        }).Prepend("change\tsamples\tmin ms\tp50 ms\tp99 ms\tmax ms").ToList();
        foreach (var line in lines)
        {
            TestContext.Current.TestOutputHelper?.WriteLine(line);
        }
        if (Environment.GetEnvironmentVariable("TESSERA_PROPAGATION_REPORT") is { Length: > 0 } path)
        {
            File.AppendAllLines(path, lines);
        }
    }
}
