using Dapper;
using Npgsql;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Gateway;

/// <summary>
/// Issue 16, push instead of poll: on PostgreSQL a change committed by anyone (here another connection, as another
/// server or a DBA would) NOTIFYs, and the server reads the feed at once. The poll is set to 20 s and memory is trusted
/// for a minute, so only the push can explain a refusal or a long-poll answer within a second.
/// </summary>
public sealed class PostgresPushTests(PostgresPushTests.Server server) : IClassFixture<PostgresPushTests.Server>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(1);

    public sealed class Server : IAsyncLifetime
    {
        public PostgresTesseraApp App { get; } = new()
        {
            Settings = new()
            {
                ["Tessera:Verification:FeedInterval"] = "00:00:20",
                ["Tessera:Verification:TrustWindow"] = "00:01:00",
                ["Tessera:Verification:MaxEntryAge"] = "00:10:00",
            },
        };

        public ValueTask InitializeAsync() => App.InitializeAsync();

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    private PostgresTesseraApp App => server.App.Require();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task CancelElsewhereAsync(string tokenId)
    {
        await using var connection = new NpgsqlConnection(App.ConnectionString);
        await connection.ExecuteAsync("UPDATE query_tokens SET status = 'cancelled', version = version + 1 WHERE id = @tokenId", new { tokenId });
    }

    [Fact]
    public async Task A_cancel_committed_elsewhere_is_refused_within_a_second_although_the_poll_is_20_seconds()
    {
        var account = await App.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama");
        var token = await account.CreateTokenAsync("t", workload.Id);
        // The creation's own notification is read at once; after it, nothing makes memory forget the token but the cancel.
        await Task.Delay(Bound, Ct);
        Assert.Equal("ok", await App.CodeAsync(token.Token, workload.Id));
        Assert.Equal("ok", await App.CodeAsync(token.Token, workload.Id)); // from memory now

        await CancelElsewhereAsync(token.Id);

        Assert.InRange(await App.TimeUntilCodeAsync(token.Token, workload.Id, "token_cancelled", TimeSpan.FromSeconds(5)), TimeSpan.Zero, Bound);
    }

    [Fact]
    public async Task A_gateways_long_poll_is_answered_within_a_second_of_a_change_committed_elsewhere()
    {
        var account = await App.NewAccountAsync();
        var token = await account.CreateTokenAsync("t", (await account.CreateWorkloadAsync("llama")).Id);
        var gateway = await App.GatewayClientAsync(account);
        var (_, position) = await gateway.SnapshotAsync();
        var poll = gateway.ChangesAsync(position, wait: 30, Ct);
        await Task.Delay(200, Ct); // the poll is waiting
        Assert.False(poll.IsCompleted);

        var started = System.Diagnostics.Stopwatch.StartNew();
        await CancelElsewhereAsync(token.Id);
        var answer = await poll.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.InRange(started.Elapsed, TimeSpan.Zero, Bound);
        Assert.Equal([(token.Id, "cancelled")], answer.Changes.Select(c => (c.TokenId!, c.Status!)));
    }
}
