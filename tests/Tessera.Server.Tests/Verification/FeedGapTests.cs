using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Dapper;
using Npgsql;
using Tessera.Contracts;
using Tessera.Core.Secrets;

namespace Tessera.Server.Tests.Verification;

/// <summary>
/// No resurrection (issue 13): two real server processes on one PostgreSQL database. Server B remembers a
/// token; then B misses the change that cancels it in each way a change feed can be missed: B is paused
/// (SIGSTOP) while the cancel and the prune's DELETE of the feed rows go by; the cancel's feed position is
/// read past because its transaction was still open; or the change reaches the database without a feed row
/// at all. In each case B refuses the token soon after, never keeps answering 204 from memory.
/// </summary>
public sealed class FeedGapTests : IClassFixture<FeedGapTests.Servers>
{
    private static readonly TimeSpan GapTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MaxEntryAge = TimeSpan.FromSeconds(4);

    private readonly Servers _servers;

    public FeedGapTests(Servers servers)
    {
        TestPostgres.Require();
        _servers = servers;
    }

    /// <summary>The two servers, shared by the class's tests, on a database of their own; B with short gap and age limits.</summary>
    public sealed class Servers : IAsyncLifetime
    {
        private readonly List<string> _directories = [];

        public string BootstrapKey { get; } = SecretFormat.Generate(SecretKind.LicenseKey);

        public string ConnectionString { get; private set; } = null!;

        public ServerProcess A { get; private set; } = null!;

        public ServerProcess B { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(TestPostgres.Variable)))
            {
                return; // the tests skip (or fail under CI=true) in their constructor
            }
            ConnectionString = await TestPostgres.CreateEmptyAsync();
            var environment = new Dictionary<string, string>
            {
                ["Tessera__Database__Provider"] = "postgres",
                ["Tessera__Database__ConnectionString"] = ConnectionString,
                ["Tessera__Bootstrap__LicenseKey"] = BootstrapKey,
                ["Tessera__Abuse__QueryFailures__PermitLimit"] = "0",
            };
            A = await StartAsync(environment);
            B = await StartAsync(new Dictionary<string, string>(environment)
            {
                ["Tessera__Verification__GapTimeout"] = GapTimeout.ToString(),
                ["Tessera__Verification__MaxEntryAge"] = MaxEntryAge.ToString(),
            });
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var server in new[] { A, B }.Where(s => s is not null))
            {
                await Signal(server, "CONT"); // a test that failed while B was paused must not leave it stopped
                await server.DisposeAsync();
            }
            if (ConnectionString is not null)
            {
                await TestPostgres.DropAsync(ConnectionString);
            }
            foreach (var directory in _directories)
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        private async Task<ServerProcess> StartAsync(Dictionary<string, string> environment)
        {
            var directory = Directory.CreateTempSubdirectory("tessera-gaps-").FullName;
            _directories.Add(directory);
            return await ServerProcess.StartAsync(directory, environment);
        }
    }

    [Fact]
    public async Task A_server_paused_while_a_cancel_and_the_prunes_delete_went_by_refuses_the_token_once_it_runs_again()
    {
        var (workloadId, token) = await RememberedOnBAsync();

        await Signal(_servers.B, "STOP");
        await CancelThroughAAsync(token.Id);
        await using (var connection = await OpenAsync())
        {
            // The prune's own statement, with no retention: every feed row B had not read is gone.
            Assert.True(await connection.ExecuteAsync("DELETE FROM token_changes WHERE changed_at < tessera_now_ms() + 1") > 0);
        }
        await Signal(_servers.B, "CONT");
        // No question to B until its follower has read the feed again (every 250 ms): an early verification
        // would read the store (memory is not trusted after the pause) and hide what the follower believes.
        await Task.Delay(TimeSpan.FromMilliseconds(750));

        await AssertRefusedForAWhileAsync(token.Token, workloadId, "token_cancelled");
        Report("figure: feed gap: paused server + pruned feed rows: refused at the first question 750 ms after SIGCONT (three feed reads), and for 2.5 s after");
    }

    [Fact]
    public async Task A_server_paused_while_a_cancel_went_by_refuses_the_token_once_it_runs_again()
    {
        var (workloadId, token) = await RememberedOnBAsync();

        await Signal(_servers.B, "STOP");
        await CancelThroughAAsync(token.Id);
        await Signal(_servers.B, "CONT");
        await Task.Delay(TimeSpan.FromMilliseconds(750));

        await AssertRefusedForAWhileAsync(token.Token, workloadId, "token_cancelled");
    }

    [Fact]
    public async Task A_cancel_whose_feed_position_was_read_past_while_its_transaction_was_open_is_applied_when_it_commits()
    {
        var (workloadId, token) = await RememberedOnBAsync();
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync(TestContext.Current.CancellationToken);
        // The cancel's feed row takes its position now and becomes visible only at COMMIT.
        await connection.ExecuteAsync("UPDATE query_tokens SET status = 'cancelled', version = version + 1 WHERE id = @id", new { id = token.Id }, transaction);
        // Later changes commit meanwhile, so B sees positions past the open one, and reads past it after GapTimeout.
        using var manager = Client(_servers.A, _servers.BootstrapKey);
        await manager.PostJsonAsync("/v1/tokens", new CreateTokenRequest("later", workloadId, null)).EnsureAsync(HttpStatusCode.Created);
        await Task.Delay(GapTimeout + TimeSpan.FromSeconds(1));
        await manager.PostJsonAsync("/v1/tokens", new CreateTokenRequest("later still", workloadId, null)).EnsureAsync(HttpStatusCode.Created);
        Assert.Equal("ok", await CodeOnBAsync(token.Token, workloadId)); // not committed yet: still usable, rightly

        await transaction.CommitAsync(TestContext.Current.CancellationToken);
        var committed = Stopwatch.StartNew();

        var elapsed = await TimeUntilOnBAsync(token.Token, workloadId, "token_cancelled", TimeSpan.FromSeconds(5));
        Assert.InRange(elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        Report($"figure: feed gap: a position read past after the {GapTimeout.TotalSeconds} s gap timeout, committed later: refused {elapsed.TotalMilliseconds:F0} ms after COMMIT");
    }

    [Fact]
    public async Task A_change_that_reached_the_database_without_a_feed_row_is_refused_once_the_entry_is_older_than_MaxEntryAge()
    {
        var (workloadId, token) = await RememberedOnBAsync();
        await using (var connection = await OpenAsync())
        {
            await using var transaction = await connection.BeginTransactionAsync(TestContext.Current.CancellationToken);
            // Triggers off for this transaction only: the change leaves no trace in the feed (a restore, a hand edit).
            await connection.ExecuteAsync("SET LOCAL session_replication_role = replica", transaction: transaction);
            await connection.ExecuteAsync("UPDATE query_tokens SET status = 'cancelled', version = version + 1 WHERE id = @id", new { id = token.Id }, transaction);
            await transaction.CommitAsync(TestContext.Current.CancellationToken);
        }

        var elapsed = await TimeUntilOnBAsync(token.Token, workloadId, "token_cancelled", MaxEntryAge * 3);
        Assert.InRange(elapsed, TimeSpan.Zero, MaxEntryAge + TimeSpan.FromSeconds(1));
        Report($"figure: feed gap: a change with no feed row: refused {elapsed.TotalMilliseconds:F0} ms later (MaxEntryAge {MaxEntryAge.TotalSeconds} s)");
    }

    private async Task<(string WorkloadId, CreatedTokenResponse Token)> RememberedOnBAsync()
    {
        using var manager = Client(_servers.A, _servers.BootstrapKey);
        var workload = await (await manager.PostJsonAsync("/v1/workloads", new CreateWorkloadRequest($"model-{Guid.NewGuid():N}", null)))
            .ReadAsync<WorkloadResponse>(HttpStatusCode.Created);
        var token = await (await manager.PostJsonAsync("/v1/tokens", new CreateTokenRequest("alice", workload.Id, null)))
            .ReadAsync<CreatedTokenResponse>(HttpStatusCode.Created);
        Assert.Equal("ok", await CodeOnBAsync(token.Token, workload.Id));
        Assert.Equal("ok", await CodeOnBAsync(token.Token, workload.Id)); // from memory now
        return (workload.Id, token);
    }

    private async Task CancelThroughAAsync(string tokenId)
    {
        using var manager = Client(_servers.A, _servers.BootstrapKey);
        await manager.PatchJsonAsync($"/v1/tokens/{tokenId}", new { status = "cancelled" }).EnsureAsync(HttpStatusCode.OK);
    }

    private async Task AssertRefusedForAWhileAsync(string secret, string workloadId, string code)
    {
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(code, await CodeOnBAsync(secret, workloadId));
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
    }

    private async Task<TimeSpan> TimeUntilOnBAsync(string secret, string workloadId, string code, TimeSpan limit)
    {
        var (answer, elapsed) = await Poll.UntilAsync(() => CodeOnBAsync(secret, workloadId), c => c == code, limit);
        Assert.Equal(code, answer);
        return elapsed;
    }

    private async Task<string> CodeOnBAsync(string secret, string workloadId)
    {
        using var client = Client(_servers.B, secret);
        using var response = await client.GetAsync($"/v1/auth?workload={workloadId}");
        return response.StatusCode == HttpStatusCode.NoContent ? "ok" : response.Headers.GetValues("X-Tessera-Error").Single();
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(_servers.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        return connection;
    }

    private static HttpClient Client(ServerProcess server, string bearer)
    {
        var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return client;
    }

    private static async Task Signal(ServerProcess server, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", server.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            UseShellExecute = false,
            RedirectStandardError = true,
        })!;
        await kill.WaitForExitAsync();
    }

    private static void Report(string figure) => TestContext.Current.TestOutputHelper?.WriteLine(figure);
}
