using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Storage.Sql;

namespace Tessera.Storage.Tests;

/// <summary>
/// SQLite: a range on one instant sorted by another is walked in the sort's order for at most
/// <see cref="SqlTokenStore.WalkBudget"/>, then its rows are sorted instead (ADR 0012). Which way a page is read must not
/// change it: with no budget at all (every walk interrupted) each page, first and after a cursor, equals the walked one.
/// </summary>
public sealed class TokenListRangeSortTests : IAsyncLifetime
{
    private const int Tokens = 12_000;

    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset T0 = Now.AddDays(-30);

    private TempDatabase _db = null!;
    private string _account = null!;
    private string _workload = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _db = await TempDatabase.CreateMigratedAsync(Ct);
        _account = (await _db.AddAccountAsync("Provider", T0, Ct)).Id;
        var workloads = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            workloads.Add((await _db.AddWorkloadAsync(_account, $"model-{i}", T0, Ct)).Id);
        }
        // Names and expiries rise with creation, as in the seeder's data. Ranges of more than SqlTokenStore.NarrowingBound
        // tokens are walked in the sort's order; smaller ones are sorted anyway.
        await _db.FillLikeSeederAsync(_account, [.. workloads], 0, Tokens, Now, Ct);
        _workload = workloads[0];
        await _db.Database.RefreshStatisticsAsync(Ct);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task A_page_read_by_sorting_the_range_equals_the_page_walked_in_the_sort_order()
    {
        // Not day by day (TokenListDaysTests), which these ranges would be read by: the walk and its fallback are for ranges
        // over more days than that reads, and for one workload's.
        var walked = new SqlTokenStore(_db.Database) { WalkBudget = TimeSpan.FromMinutes(1), ReadsByDays = false };
        var sorted = new SqlTokenStore(_db.Database) { WalkBudget = TimeSpan.Zero, ReadsByDays = false };
        var ranges = new TokenQuery[]
        {
            new() { CreatedFrom = T0.AddDays(10), CreatedTo = T0.AddDays(25) },
            new() { ExpiresBefore = Now.AddDays(15) },
            new() { Status = TokenStatus.Active, CreatedFrom = T0.AddDays(2), CreatedTo = T0.AddDays(28) },
            new() { State = TokenState.Expired },
        };
        var pages = await TokenListPages.AssertSameAsync(walked, sorted, _account, ranges, Now, 50, Ct);

        Assert.Equal(0, walked.RangeSorts);
        Assert.True(sorted.RangeSorts > 0);
        Assert.True(pages > 1_000, $"{pages} tokens listed");
    }

    [Fact]
    public async Task A_workloads_range_whose_walk_ran_out_is_read_day_by_day()
    {
        var walked = new SqlTokenStore(_db.Database) { WalkBudget = TimeSpan.FromMinutes(1), ReadsByDays = false, NarrowingBound = 100 };
        // Every walk interrupted, every range of a workload over the narrowing bound.
        var byDays = new SqlTokenStore(_db.Database) { WalkBudget = TimeSpan.Zero, WorkloadWalkBudget = TimeSpan.Zero, NarrowingBound = 100 };
        var ranges = new TokenQuery[]
        {
            new() { WorkloadId = _workload, CreatedFrom = T0.AddDays(3).AddHours(5), CreatedTo = T0.AddDays(27) },
            new() { WorkloadIn = [_workload], ExpiresBefore = Now.AddDays(20), State = TokenState.Usable },
            new() { UnassignedOnly = true, ExpiresBefore = Now.AddDays(25) },
        };
        var pages = await TokenListPages.AssertSameAsync(walked, byDays, _account, ranges, Now, 20, Ct);

        Assert.Equal(0, walked.DayReads);
        // No walk at all: each page is read day by day, or its range sorted where its days are too many.
        Assert.True(byDays.DayReads > 0, $"{byDays.DayReads} pages read by days");
        Assert.True(pages > 500, $"{pages} tokens listed");
    }

    [Fact]
    public async Task A_workloads_walk_has_its_own_budget()
    {
        var walked = new SqlTokenStore(_db.Database) { WalkBudget = TimeSpan.FromMinutes(1), ReadsByDays = false, NarrowingBound = 100 };
        // The account's walks interrupted at once, a workload's never: its pages are walked to the end, not read by days.
        var workloadWalks = new SqlTokenStore(_db.Database) { WalkBudget = TimeSpan.Zero, WorkloadWalkBudget = TimeSpan.FromMinutes(1), NarrowingBound = 100 };
        var ranges = new TokenQuery[]
        {
            new() { WorkloadId = _workload, CreatedFrom = T0.AddDays(3).AddHours(5), CreatedTo = T0.AddDays(27) },
            new() { UnassignedOnly = true, ExpiresBefore = Now.AddDays(25), State = TokenState.Unassigned },
            new() { WorkloadIn = [_workload], ExpiresBefore = Now.AddDays(20), Status = TokenStatus.Active },
        };
        var pages = await TokenListPages.AssertSameAsync(walked, workloadWalks, _account, ranges, Now, 20, Ct);

        // Interrupted, each would have been read by days or its range sorted (the test above).
        Assert.Equal(0, workloadWalks.DayReads);
        Assert.Equal(0, workloadWalks.RangeSorts);
        Assert.True(pages > 500, $"{pages} tokens listed");
    }
}
