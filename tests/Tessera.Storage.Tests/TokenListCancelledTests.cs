using Dapper;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Storage.Sql;

namespace Tessera.Storage.Tests;

/// <summary>
/// One workload's (or the unassigned tokens') cancelled tokens are counted through their partial index and, when few, read
/// through it and sorted (<see cref="TokenListNarrowing.CancelledOfWorkload"/>, migration 0018). How a page is read must
/// not change it: the first five pages of each such list equal the pages walked in the sort's order, on both databases.
/// </summary>
public abstract class TokenListCancelledTests(string provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : TokenListCancelledTests(TempDatabase.Sqlite);

    public sealed class OnPostgres() : TokenListCancelledTests(TempDatabase.Postgres);

    private const int Tokens = 4_000;

    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private TempDatabase _db = null!;
    private string _account = null!;
    private string[] _workloads = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _db = await TempDatabase.CreateMigratedAsync(provider, Ct);
        _account = (await _db.AddAccountAsync("Provider", Now.AddDays(-30), Ct)).Id;
        var other = (await _db.AddAccountAsync("Other provider", Now.AddDays(-30), Ct)).Id;
        _workloads = new string[3];
        for (var i = 0; i < _workloads.Length; i++)
        {
            _workloads[i] = (await _db.AddWorkloadAsync(_account, $"model-{i}", Now.AddDays(-30), Ct)).Id;
        }
        // The seeder's mix: a tenth cancelled (none of them unassigned; three workloads, so each has some), a twentieth
        // unassigned; another account's unassigned cancelled tokens must never show.
        await _db.FillLikeSeederAsync(_account, _workloads, 0, Tokens, Now, Ct);
        await _db.FillLikeSeederAsync(other, [(await _db.AddWorkloadAsync(other, "model-0", Now, Ct)).Id], Tokens, 500, Now, Ct);
        await using var connection = await _db.Database.OpenAsync(Ct);
        await connection.ExecuteAsync("UPDATE query_tokens SET status = 'cancelled', workload_id = NULL WHERE account_id <> @account", new { account = _account });
        await _db.Database.RefreshStatisticsAsync(Ct);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task A_workloads_few_cancelled_tokens_read_through_their_index_equal_the_walked_ones()
    {
        var walked = new SqlTokenStore(_db.Database) { NarrowingBound = 0 };
        var narrowed = new SqlTokenStore(_db.Database);
        var unassignedCancelled = new TokenQuery { Now = Now, Limit = 10, UnassignedOnly = true, Status = TokenStatus.Cancelled };

        // None of the unassigned tokens is cancelled: the count says so through the index, and the page is empty either way.
        Assert.Equal(TokenListNarrowing.CancelledOfWorkload, await ChosenAsync(narrowed, unassignedCancelled));
        Assert.Equal(TokenListNarrowing.None, await ChosenAsync(walked, unassignedCancelled));
        Assert.Empty((await narrowed.ListTokensAsync(_account, unassignedCancelled, Ct)).Items);
        Assert.Empty((await walked.ListTokensAsync(_account, unassignedCancelled, Ct)).Items);

        // A few cancelled ones among the unassigned (a fifth of them): a tenth of each workload's is cancelled (a hundred).
        await using (var connection = await _db.Database.OpenAsync(Ct))
        {
            Assert.True(await connection.ExecuteAsync(
                "UPDATE query_tokens SET status = 'cancelled' WHERE account_id = @account AND workload_id IS NULL AND name_folded LIKE '%42'",
                new { account = _account }) > 10);
        }
        var ranges = new TokenQuery[]
        {
            new() { UnassignedOnly = true, Status = TokenStatus.Cancelled },
            new() { UnassignedOnly = true, State = TokenState.Cancelled, NameContains = "user-00" },
            new() { WorkloadId = _workloads[1], Status = TokenStatus.Cancelled },
            new() { WorkloadIn = [_workloads[2]], State = TokenState.Cancelled, CreatedFrom = Now.AddDays(-20) },
            new() { WorkloadId = _workloads[0], Status = TokenStatus.Cancelled, State = TokenState.Cancelled, ExpiresBefore = Now.AddDays(20) },
        };
        // Through the cancelled tokens' index, or a range's own where it holds fewer of them (the last two).
        foreach (var (range, i) in ranges.Select((r, i) => (r, i)))
        {
            var chosen = await ChosenAsync(narrowed, range with { Now = Now, Limit = 10 });
            Assert.True(i < 3 ? chosen == TokenListNarrowing.CancelledOfWorkload : chosen != TokenListNarrowing.None, $"{i}: {chosen}");
        }
        var pages = await TokenListPages.AssertSameAsync(walked, narrowed, _account, ranges, Now, 10, Ct);
        Assert.True(pages > 300, $"{pages} tokens listed");
    }

    private async Task<TokenListNarrowing> ChosenAsync(SqlTokenStore store, TokenQuery query)
    {
        await using var connection = await _db.Database.OpenAsync(Ct);
        return (await store.ChooseReadAsync(connection, _account, query, Ct)).Narrowing;
    }
}
