using Dapper;
using Tessera.Core.Accounts;
using Tessera.Core.Storage;
using Tessera.Core.Workloads;
using Tessera.Storage.Sql;

namespace Tessera.Storage.Tests;

/// <summary>
/// The token change feed is written by the database itself, for every change a verification could notice.
/// One test body, two databases: <see cref="OnSqlite"/> and <see cref="OnPostgres"/>.
/// </summary>
public abstract class TokenChangeFeedTests(string provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : TokenChangeFeedTests(TempDatabase.Sqlite);

    public sealed class OnPostgres() : TokenChangeFeedTests(TempDatabase.Postgres);

    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private TempDatabase _db = null!;
    private SqlTokenChangeFeed _feed = null!;
    private Account _account = null!;
    private Workload _workload = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _db = await TempDatabase.CreateMigratedAsync(provider, Ct);
        _feed = new SqlTokenChangeFeed(_db.Database);
        _account = await _db.AddAccountAsync("Provider", T0, Ct);
        _workload = await _db.AddWorkloadAsync(_account.Id, "Llama", T0, Ct);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    private async Task<IReadOnlyList<TokenChange>> ChangesAfterAsync(long position) => await _feed.ReadAfterAsync(position, 100, Ct);

    [Fact]
    public async Task Creating_updating_and_deleting_a_token_each_append_its_hash_in_order()
    {
        var start = await _feed.LatestPositionAsync(Ct);
        var token = await _db.AddTokenAsync(_account.Id, "Alice", _workload.Id, T0, Ct);
        token.Cancel(T0.AddMinutes(1));
        Assert.Equal(SaveResult.Saved, await _db.Tokens.UpdateTokenAsync(token, Ct));
        Assert.Equal(SaveResult.Saved, await _db.Tokens.DeleteTokenAsync(_account.Id, token.Id, null, Ct));

        var changes = await ChangesAfterAsync(start);

        Assert.Equal(3, changes.Count);
        Assert.All(changes, c => Assert.Equal(token.Hash, c.Hash));
        Assert.Equal(changes.OrderBy(c => c.Position), changes);
        Assert.Equal(changes[^1].Position, await _feed.LatestPositionAsync(Ct));
        Assert.Equal(2, (await ChangesAfterAsync(changes[0].Position)).Count);
    }

    [Fact]
    public async Task Recording_usage_appends_nothing()
    {
        var token = await _db.AddTokenAsync(_account.Id, "Alice", _workload.Id, T0, Ct);
        var start = await _feed.LatestPositionAsync(Ct);

        await _db.Tokens.RecordUsageAsync([new TokenUsage(token.Id, 5, T0.AddMinutes(1))], Ct);

        Assert.Empty(await ChangesAfterAsync(start));
    }

    [Fact]
    public async Task Renaming_or_deleting_a_workload_appends_each_of_its_tokens()
    {
        var alice = await _db.AddTokenAsync(_account.Id, "Alice", _workload.Id, T0, Ct);
        var bob = await _db.AddTokenAsync(_account.Id, "Bob", _workload.Id, T0, Ct);
        await _db.AddTokenAsync(_account.Id, "Parked", null, T0, Ct);
        var start = await _feed.LatestPositionAsync(Ct);

        _workload.Rename("Llama 3", T0.AddMinutes(1));
        Assert.Equal(SaveResult.Saved, await _db.Workloads.UpdateWorkloadAsync(_workload, Ct));
        var renamed = await ChangesAfterAsync(start);
        Assert.Equal([alice.Hash, bob.Hash], renamed.Select(c => c.Hash).OrderBy(h => h == bob.Hash));

        Assert.Equal(SaveResult.Saved, await _db.Workloads.DeleteWorkloadAsync(_account.Id, _workload.Id, T0.AddMinutes(2), Ct));
        var deleted = await ChangesAfterAsync(renamed[^1].Position);
        Assert.Equal(2, deleted.Count);
        Assert.Equal(new HashSet<Tessera.Core.Secrets.SecretHash> { alice.Hash, bob.Hash }, deleted.Select(c => c.Hash).ToHashSet());
    }

    [Fact]
    public async Task Pruning_removes_only_changes_older_than_the_retention_by_the_database_clock()
    {
        await _db.AddTokenAsync(_account.Id, "Alice", _workload.Id, T0, Ct);

        // Stamped by the database's clock: the tokens' own (test) instants in 2025 play no part.
        Assert.Equal(0, await _feed.PruneAsync(TimeSpan.FromMinutes(5), Ct));
        Assert.Equal(1, await _feed.PruneAsync(TimeSpan.FromMinutes(-5), Ct));
        Assert.Empty(await ChangesAfterAsync(0));
    }

    [Fact]
    public async Task The_database_remembers_the_highest_position_ever_deleted_by_the_prune_or_any_other_delete()
    {
        await _db.AddTokenAsync(_account.Id, "Alice", _workload.Id, T0, Ct);
        var first = await _feed.LatestPositionAsync(Ct);
        Assert.True(await _feed.PrunedThroughAsync(Ct) < first);
        Assert.Equal(0, await _feed.PruneAsync(TimeSpan.FromMinutes(5), Ct));
        Assert.True(await _feed.PrunedThroughAsync(Ct) < first); // a prune that removes nothing moves nothing

        await _feed.PruneAsync(TimeSpan.FromMinutes(-5), Ct);
        Assert.Equal(first, await _feed.PrunedThroughAsync(Ct));

        await _db.AddTokenAsync(_account.Id, "Bob", _workload.Id, T0, Ct);
        var second = await _feed.LatestPositionAsync(Ct);
        await using (var connection = await _db.Database.OpenAsync(Ct))
        {
            // Not the prune: an operator's hand-written DELETE is recorded all the same.
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM token_changes WHERE position = @second", new { second }, cancellationToken: Ct));
        }
        Assert.Equal(second, await _feed.PrunedThroughAsync(Ct));
    }

    [Fact]
    public async Task Changes_at_given_positions_are_read_when_they_exist()
    {
        var alice = await _db.AddTokenAsync(_account.Id, "Alice", _workload.Id, T0, Ct);
        var position = await _feed.LatestPositionAsync(Ct);

        var found = Assert.Single(await _feed.ReadAtAsync([position, position + 1000], Ct));
        Assert.Equal(position, found.Position);
        Assert.Equal(alice.Hash, found.Hash);
        Assert.Empty(await _feed.ReadAtAsync([], Ct));
    }
}
