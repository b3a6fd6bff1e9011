using Dapper;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Storage.Sql;

namespace Tessera.Storage.Tests;

/// <summary>
/// A range on one instant sorted by another is read day by day (<see cref="TokenListDays"/>, ADR 0012). How a page is
/// read must not change it: the first five pages (the first and four after a cursor) of every such list equal the pages
/// of a store that never reads by days, token for token, on both databases.
/// </summary>
public abstract class TokenListDaysTests(string provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : TokenListDaysTests(TempDatabase.Sqlite);

    public sealed class OnPostgres() : TokenListDaysTests(TempDatabase.Postgres);

    /// <summary>400 tokens a day for 30 days: a range of a fortnight is over the store's narrowing bound and read by days.</summary>
    private const int Tokens = 12_000;

    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset T0 = Now.AddDays(-30);

    private TempDatabase _db = null!;
    private string _account = null!;
    private string _workload = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _db = await TempDatabase.CreateMigratedAsync(provider, Ct);
        _account = (await _db.AddAccountAsync("Provider", T0, Ct)).Id;
        var other = (await _db.AddAccountAsync("Other provider", T0, Ct)).Id;
        var workloads = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            workloads.Add((await _db.AddWorkloadAsync(_account, $"model-{i}", T0, Ct)).Id);
        }
        // Names and expiries rise with creation, a twentieth of the tokens share one expiry (expired), as in the seeder's
        // data; another account's tokens in the same days must never show.
        await _db.FillLikeSeederAsync(_account, [.. workloads], 0, Tokens, Now, Ct);
        _workload = workloads[3];
        await _db.FillLikeSeederAsync(other, [(await _db.AddWorkloadAsync(other, "model-0", T0, Ct)).Id], Tokens, 2_000, Now, Ct);
        // The expiry marker has seen the expired pile, and part of it was marked again since (as after a renewal whose new
        // expiry passed too, not seen yet): the marked tokens are held apart in the expiry-day indexes (migration 0017), the others
        // are among the active ones. Of the marked, one was renewed and one cancelled: the mark no longer holds them.
        await MarkAsync(Now, ["user-%63", "user-%83"], "user-0000003", "user-0000023");
        // Last uses: the fill's (every third token, an hour after its creation) and more of every workload's (by the tens
        // digit of the name: hours or days after the creation, or a tenth all at one instant, a tie of last uses as a
        // batch's); but no token created in the first 12 days was used, so a range of those sorts by last use as one key
        // (-1), then by id.
        await using (var connection = await _db.Database.OpenAsync(Ct))
        {
            await connection.ExecuteAsync(
                """
                UPDATE query_tokens SET last_used_at = CASE
                    WHEN created_at < @usedFrom THEN NULL
                    WHEN name_folded LIKE '%1_' THEN created_at + 18000000
                    WHEN name_folded LIKE '%4_' THEN created_at + 172800000
                    ELSE @tie END
                WHERE account_id = @account AND (created_at < @usedFrom AND last_used_at IS NOT NULL
                    OR created_at >= @usedFrom AND (name_folded LIKE '%1_' OR name_folded LIKE '%4_' OR name_folded LIKE '%7_'))
                """,
                new { account = _account, tie = Ms.Of(Now.AddHours(-1)), usedFrom = Ms.Of(T0.AddDays(12)) }, commandTimeout: 0);
        }
        await _db.Database.RefreshStatisticsAsync(Ct);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task A_page_read_day_by_day_equals_the_page_read_otherwise()
    {
        var byDays = new SqlTokenStore(_db.Database);
        var otherwise = new SqlTokenStore(_db.Database) { ReadsByDays = false };
        var ranges = new TokenQuery[]
        {
            // Ranges starting and ending inside a day, and on a day's first instant (days are UTC).
            new() { CreatedFrom = T0.AddDays(10).AddHours(7), CreatedTo = T0.AddDays(25).AddHours(3) },
            new() { CreatedFrom = T0.AddDays(2), CreatedTo = T0.AddDays(28) },
            new() { CreatedFrom = T0.AddDays(12) },
            new() { ExpiresBefore = Now.AddDays(15).AddMinutes(30) },
            new() { ExpiresBefore = Now.AddDays(22), State = TokenState.Usable },
            new() { ExpiresBefore = Now.AddDays(22), Status = TokenStatus.Active, NameContains = "user-00" },
            new() { CreatedFrom = T0.AddDays(1), CreatedTo = T0.AddDays(29), ExpiresBefore = Now.AddDays(20), State = TokenState.Unassigned },
            // A status fixed by the filters: each day's entries of that status only (the others read each day once per status).
            new() { ExpiresBefore = Now.AddDays(18).AddHours(5), Status = TokenStatus.Cancelled },
            new() { CreatedFrom = T0.AddDays(4).AddHours(13), CreatedTo = T0.AddDays(26), State = TokenState.Cancelled },
            new() { CreatedFrom = T0.AddDays(6), State = TokenState.Expired },
            // Usable and unassigned pages read the days from today's without the tokens held as expired; other pages of
            // active tokens read both.
            new() { State = TokenState.Usable },
            new() { State = TokenState.Unassigned },
            new() { ExpiresBefore = Now.AddDays(9).AddHours(2), Status = TokenStatus.Active },
            new() { State = TokenState.Expired },
        };
        var pages = await TokenListPages.AssertSameAsync(otherwise, byDays, _account, ranges, Now, 50, Ct);

        Assert.Equal(0, otherwise.DayReads);
        // Every range but the sort on its own instant: 14 ranges × 3 sorts (the created+expiry one: 4), up to 5 pages each
        // (fewer for a short list); the name search of 3+ characters too, on both databases (every name has "user-00": its
        // count reaches the bound).
        Assert.True(byDays.DayReads >= 160, $"{byDays.DayReads} pages read by days");
        Assert.True(pages > 5_000, $"{pages} tokens listed");
    }

    /// <summary>
    /// One workload's page (or the unassigned tokens') with a range on another instant than its sort walks the workload's
    /// sort order from where the range's days bound the sort key (<see cref="TokenListDays.SortBound"/>): the same pages,
    /// token for token, as the walk from the start. Both stores count no narrowing filter, so every such page is a walk.
    /// </summary>
    [Fact]
    public async Task A_workloads_walk_started_where_its_ranges_days_bound_the_sort_lists_as_the_walk_from_the_start()
    {
        var bounded = new SqlTokenStore(_db.Database) { NarrowingBound = 0 };
        var fromTheStart = new SqlTokenStore(_db.Database) { NarrowingBound = 0, BoundsWalks = false };
        var ranges = new List<TokenQuery>();
        foreach (var (one, current) in new (TokenQuery, TokenState)[]
            { (new() { UnassignedOnly = true }, TokenState.Unassigned), (new() { WorkloadId = _workload }, TokenState.Usable) })
        {
            ranges.AddRange(
            [
                one with { ExpiresBefore = Now.AddDays(15).AddMinutes(30) },
                one with { ExpiresBefore = Now.AddDays(22), State = current },
                // Only tokens never used: by last use, all one key (-1), and the bound is where the range's ids start.
                one with { ExpiresBefore = Now.AddDays(8).AddHours(5), State = current },
                one with { ExpiresBefore = Now.AddDays(9).AddHours(2), Status = TokenStatus.Active, NameContains = "user-00" },
                one with { CreatedFrom = T0.AddDays(10).AddHours(7), CreatedTo = T0.AddDays(25).AddHours(3) },
                one with { CreatedFrom = T0.AddDays(2), CreatedTo = T0.AddDays(28), State = current },
                one with { CreatedFrom = T0.AddDays(12), Status = TokenStatus.Active },
            ]);
        }
        // The seeder cancels no unassigned token.
        ranges.Add(new TokenQuery { WorkloadId = _workload, ExpiresBefore = Now.AddDays(18).AddHours(5), Status = TokenStatus.Cancelled });
        var tokens = await TokenListPages.AssertSameAsync(fromTheStart, bounded, _account, ranges, Now, 50, Ct);

        Assert.Equal(0, fromTheStart.BoundWalks);
        // The first pages of 15 ranges, each with the sorts the walk is bounded for: the other instant (creation for an expiry
        // range, expiry for a created one) and, on SQLite, last use; but on PostgreSQL the two name searches of 3+
        // characters, left to its planner.
        Assert.True(bounded.BoundWalks >= (_db.Database.PlansListFilters ? 13 : 30), $"{bounded.BoundWalks} walks bounded");
        Assert.True(tokens > 2_000, $"{tokens} tokens listed");
    }

    [Fact]
    public async Task A_usable_page_passes_the_tokens_marked_expired_in_its_first_day_and_lists_as_a_page_read_otherwise()
    {
        // Later the same day, a pile that expired at one instant in that day (a twentieth of the tokens, by name) and the
        // tokens whose expiry passed since the morning: the marker has seen them all but a third of the pile, renewed and
        // cancelled ones as above.
        var later = Now.AddHours(14);
        await using (var connection = await _db.Database.OpenAsync(Ct))
        {
            Assert.Equal(Tokens / 20, await connection.ExecuteAsync(
                """
                UPDATE query_tokens SET expires_at = @expiry WHERE account_id = @account AND status = 'active'
                    AND (name_folded LIKE '%07' OR name_folded LIKE '%27' OR name_folded LIKE '%47' OR name_folded LIKE '%67' OR name_folded LIKE '%87')
                """,
                new { account = _account, expiry = Ms.Of(Now.AddHours(2)) }));
        }
        await MarkAsync(later, ["user-%207", "user-%507", "user-%807"], "user-0000107", "user-0000127");
        var byDays = new SqlTokenStore(_db.Database);
        var otherwise = new SqlTokenStore(_db.Database) { ReadsByDays = false };
        TokenQuery[] ranges =
        [
            new() { State = TokenState.Usable },
            new() { State = TokenState.Unassigned },
            new() { State = TokenState.Usable, ExpiresBefore = later.AddDays(3) },
            new() { Status = TokenStatus.Active, ExpiresBefore = later.AddDays(2) },
            new() { ExpiresBefore = later.AddDays(1) },
            new() { State = TokenState.Expired, CreatedFrom = T0.AddDays(20) },
        ];
        await TokenListPages.AssertSameAsync(otherwise, byDays, _account, ranges, later, 50, Ct);
        Assert.True(byDays.DayReads >= 60, $"{byDays.DayReads} pages read by days");
    }

    /// <summary>
    /// Marks every expiry passed a minute before <paramref name="now"/> as the expiry marker does; then takes the mark off
    /// the tokens named like <paramref name="notSeen"/> (LIKE patterns), renews <paramref name="renewed"/> to expire in a
    /// month and cancels <paramref name="cancelled"/> (both marked).
    /// </summary>
    private async Task MarkAsync(DateTimeOffset now, string[] notSeen, string renewed, string cancelled)
    {
        Assert.True(await new PassedExpiries(_db.Database).MarkAllAsync(now - PassedExpiries.FirstLookback, now - PassedExpiries.Settle, 250, Ct) > 500);
        await using var connection = await _db.Database.OpenAsync(Ct);
        foreach (var pattern in notSeen)
        {
            Assert.True(await connection.ExecuteAsync(
                "UPDATE query_tokens SET passed_expiry = NULL WHERE account_id = @account AND name_folded LIKE @pattern AND passed_expiry IS NOT NULL",
                new { account = _account, pattern }) > 0, pattern);
        }
        Assert.Equal(1, await connection.ExecuteAsync(
            "UPDATE query_tokens SET expires_at = @expiry WHERE account_id = @account AND name_folded = @renewed AND passed_expiry = expires_at",
            new { account = _account, expiry = Ms.Of(now.AddDays(30)), renewed }));
        Assert.Equal(1, await connection.ExecuteAsync(
            "UPDATE query_tokens SET status = 'cancelled' WHERE account_id = @account AND name_folded = @cancelled AND passed_expiry = expires_at",
            new { account = _account, cancelled }));
    }

    [Fact]
    public async Task A_range_over_more_days_than_a_page_reads_is_read_otherwise()
    {
        // Tokens on more days than TokenListDays.MostDays (the fill spans 31 days): the range is walked or sorted instead.
        var spread = new SqlTokenStore(_db.Database);
        await using (var connection = await _db.Database.OpenAsync(Ct))
        {
            // Every 600th token (a day and a half apart) 40 days earlier: 20 more days.
            for (var i = 0; i < Tokens; i += 600)
            {
                Assert.Equal(1, await connection.ExecuteAsync(
                    "UPDATE query_tokens SET created_at = created_at - 3456000000 WHERE account_id = @account AND name_folded = @name",
                    new { account = _account, name = $"user-{i:0000000}" }));
            }
        }
        var query = new TokenQuery { Now = Now, Limit = 50, Sort = TokenSort.Name, CreatedTo = Now.AddDays(1) };
        var page = await spread.ListTokensAsync(_account, query, Ct);
        Assert.Equal(0, spread.DayReads);
        Assert.Equal((await new SqlTokenStore(_db.Database) { ReadsByDays = false }.ListTokensAsync(_account, query, Ct)).Items.Select(t => t.Id),
            page.Items.Select(t => t.Id));
    }
}
