using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Tessera.Contracts;
using Tessera.Core.Secrets;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// Scale-out: two real server processes, started at once on one empty PostgreSQL database. They migrate
/// and bootstrap once between them, and a cancel, delete, unassign or expiry made through one server is
/// refused by the other within 1 second (API.md §4), whatever the servers cache: the other server has
/// just verified the token, repeatedly, before each change. Every sample's propagation time is written
/// to the test output (and appended to TESSERA_PROPAGATION_REPORT when set; docs/perf.md quotes it);
/// TESSERA_PROPAGATION_ROUNDS (default 2) sets how many samples of each change are taken.
/// </summary>
public sealed class TwoServerTests : IClassFixture<TwoServerTests.Servers>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(1);

    private readonly ServerProcess _a;
    private readonly ServerProcess _b;
    private readonly string _bootstrapKey;

    public TwoServerTests(Servers servers)
    {
        TestPostgres.Require();
        (_a, _b, _bootstrapKey) = (servers.A, servers.B, servers.BootstrapKey);
    }

    /// <summary>The two servers, shared by the class's tests, on a database of their own.</summary>
    public sealed class Servers : IAsyncLifetime
    {
        private readonly List<string> _directories = [];
        private string? _connectionString;

        public string BootstrapKey { get; } = SecretFormat.Generate(SecretKind.LicenseKey);

        public ServerProcess A { get; private set; } = null!;

        public ServerProcess B { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(TestPostgres.Variable)))
            {
                return; // the tests skip (or fail under CI=true) in their constructor
            }
            _connectionString = await TestPostgres.CreateEmptyAsync();
            var environment = new Dictionary<string, string>
            {
                ["Tessera__Database__Provider"] = "postgres",
                ["Tessera__Database__ConnectionString"] = _connectionString,
                ["Tessera__Bootstrap__LicenseKey"] = BootstrapKey,
                // Every sample ends in a refusal from this one address: many rounds would reach the failure limit.
                ["Tessera__Abuse__QueryFailures__PermitLimit"] = "0",
            };
            var started = await Task.WhenAll(StartAsync(environment), StartAsync(environment));
            (A, B) = (started[0], started[1]);
        }

        public async ValueTask DisposeAsync()
        {
            if (A is not null)
            {
                await A.DisposeAsync();
            }
            if (B is not null)
            {
                await B.DisposeAsync();
            }
            if (_connectionString is not null)
            {
                await TestPostgres.DropAsync(_connectionString);
            }
            foreach (var directory in _directories)
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        private async Task<ServerProcess> StartAsync(Dictionary<string, string> environment)
        {
            var directory = Directory.CreateTempSubdirectory("tessera-scaleout-").FullName;
            lock (_directories)
            {
                _directories.Add(directory);
            }
            return await ServerProcess.StartAsync(directory, environment);
        }
    }

    [Fact]
    public async Task Servers_started_at_once_on_an_empty_database_share_one_schema_and_one_first_account()
    {
        var onA = await (await Client(_a, _bootstrapKey).GetAsync("/v1/account")).ReadAsync<AccountResponse>();
        var onB = await (await Client(_b, _bootstrapKey).GetAsync("/v1/account")).ReadAsync<AccountResponse>();

        Assert.Equal(onA.Id, onB.Id);
        Assert.Contains("Applied schema migrations", _a.Stdout + _b.Stdout, StringComparison.Ordinal); // by one of them
        Assert.DoesNotContain("Exception", _a.Stdout + _a.Stderr + _b.Stdout + _b.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancel_delete_unassign_or_expiry_through_one_server_is_refused_by_the_other_within_one_second()
    {
        using var managerA = Client(_a, _bootstrapKey);
        var workload = await (await managerA.PostJsonAsync("/v1/workloads", new CreateWorkloadRequest("llama-3", null)))
            .ReadAsync<WorkloadResponse>(HttpStatusCode.Created);
        var rounds = int.TryParse(Environment.GetEnvironmentVariable("TESSERA_PROPAGATION_ROUNDS"), CultureInfo.InvariantCulture, out var r) ? r : 2;
        var samples = new List<(string Change, string TokenSecret, string Code, DateTimeOffset ChangedAt, TimeSpan Propagation)>();

        for (var round = 0; round < rounds; round++)
        {
            foreach (var (change, code) in new[] { ("cancel", "token_cancelled"), ("delete", "token_unknown"), ("unassign", "token_unassigned"), ("expiry", "token_expired") })
            {
                var token = await (await managerA.PostJsonAsync("/v1/tokens", new CreateTokenRequest($"{change}-{round}", workload.Id, null)))
                    .ReadAsync<CreatedTokenResponse>(HttpStatusCode.Created);
                using var queryB = Client(_b, token.Token);
                // Usable on B first, several times over: whatever B caches, it has this token as usable.
                for (var i = 0; i < 5; i++)
                {
                    Assert.Equal(HttpStatusCode.NoContent, (await queryB.GetAsync(QuerySide.AuthPath(workload.Id))).StatusCode);
                }

                var changedAt = await ChangeAsync(managerA, token.Id, change);
                TimeSpan propagation;
                while (true)
                {
                    var response = await queryB.GetAsync(QuerySide.AuthPath(workload.Id));
                    if (response.StatusCode == HttpStatusCode.Unauthorized)
                    {
                        propagation = TimeProvider.System.GetUtcNow() - changedAt;
                        Assert.Equal(code, response.Headers.GetValues("X-Tessera-Error").Single());
                        break;
                    }
                    Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
                    await Task.Delay(2);
                }
                samples.Add((change, token.Token, code, changedAt, propagation));
            }
        }

        // The bound: once a second has passed since each change, the other server refuses, for that reason.
        var lastChange = samples.Max(s => s.ChangedAt);
        var wait = lastChange + Bound - TimeProvider.System.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
        foreach (var sample in samples)
        {
            using var queryB = Client(_b, sample.TokenSecret);
            var response = await queryB.GetAsync(QuerySide.AuthPath(workload.Id));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal(sample.Code, response.Headers.GetValues("X-Tessera-Error").Single());
        }
        Report(samples.Select(s => (s.Change, s.Propagation)).ToList());
    }

    [Fact]
    public async Task Usage_recorded_by_both_servers_at_once_adds_up_to_every_successful_call()
    {
        using var managerA = Client(_a, _bootstrapKey);
        var workload = await (await managerA.PostJsonAsync("/v1/workloads", new CreateWorkloadRequest("usage-counting", null)))
            .ReadAsync<WorkloadResponse>(HttpStatusCode.Created);
        var token = await (await managerA.PostJsonAsync("/v1/tokens", new CreateTokenRequest("busy", workload.Id, null)))
            .ReadAsync<CreatedTokenResponse>(HttpStatusCode.Created);
        const int callsPerServer = 40;

        // Both servers verify the same token concurrently, four callers each.
        var calls = new[] { _a, _b }.SelectMany(server => Enumerable.Range(0, 4).Select(async _ =>
        {
            using var query = Client(server, token.Token);
            for (var i = 0; i < callsPerServer / 4; i++)
            {
                Assert.Equal(HttpStatusCode.NoContent, (await query.GetAsync(QuerySide.AuthPath(workload.Id))).StatusCode);
            }
        }));
        await Task.WhenAll(calls);

        // Usage may be written later than the calls (batched); it must add up exactly, never lose or double a call.
        var waited = Stopwatch.StartNew();
        long uses;
        while ((uses = (await (await managerA.GetAsync($"/v1/tokens/{token.Id}")).ReadAsync<TokenResponse>()).UseCount) < 2 * callsPerServer)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), $"usage stopped at {uses} of {2 * callsPerServer}");
            await Task.Delay(100);
        }
        Assert.Equal(2 * callsPerServer, uses);
    }

    /// <summary>Makes the change through server A; returns when it took effect there (the acknowledgment, or the expiry instant).</summary>
    private static async Task<DateTimeOffset> ChangeAsync(HttpClient managerA, string tokenId, string change)
    {
        switch (change)
        {
            case "cancel":
                await (await managerA.PatchJsonAsync($"/v1/tokens/{tokenId}", new { status = "cancelled" })).ReadAsync<TokenResponse>();
                return TimeProvider.System.GetUtcNow();
            case "delete":
                await managerA.DeleteAsync($"/v1/tokens/{tokenId}").EnsureAsync(HttpStatusCode.NoContent);
                return TimeProvider.System.GetUtcNow();
            case "unassign":
                await (await managerA.PatchJsonAsync($"/v1/tokens/{tokenId}", new { workloadId = (string?)null })).ReadAsync<TokenResponse>();
                return TimeProvider.System.GetUtcNow();
            default:
                // Expiry is a change nobody makes: the token reaches its expiresAt, set here a little ahead.
                var expiresAt = TimeProvider.System.GetUtcNow().AddMilliseconds(700);
                var patched = await (await managerA.PatchJsonAsync($"/v1/tokens/{tokenId}", new { expiresAt })).ReadAsync<TokenResponse>();
                return patched.ExpiresAt;
        }
    }

    private static void Report(List<(string Change, TimeSpan Propagation)> samples)
    {
        static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0.0", CultureInfo.InvariantCulture);
        var lines = samples.GroupBy(s => s.Change).Append(samples.GroupBy(_ => "all").Single()).Select(g =>
        {
            var sorted = g.Select(s => s.Propagation).Order().ToList();
            TimeSpan At(double q) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
            return $"{g.Key}\t{sorted.Count}\t{Ms(sorted[0])}\t{Ms(At(0.5))}\t{Ms(At(0.9))}\t{Ms(At(0.99))}\t{Ms(sorted[^1])}";
        }).Prepend("change\tsamples\tmin ms\tp50 ms\tp90 ms\tp99 ms\tmax ms").ToList();
        foreach (var line in lines)
        {
            TestContext.Current.TestOutputHelper?.WriteLine(line);
        }
        if (Environment.GetEnvironmentVariable("TESSERA_PROPAGATION_REPORT") is { Length: > 0 } path)
        {
            File.AppendAllLines(path, lines);
        }
    }

    private static HttpClient Client(ServerProcess server, string bearer)
    {
        var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }
}
