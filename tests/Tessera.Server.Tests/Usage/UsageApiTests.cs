using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Contracts;
using Tessera.Core;
using Tessera.Core.Storage;
using Tessera.Server.Background;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Usage;

/// <summary>
/// GET /v1/usage (API.md §10): uses counted by real verifications land in their hour's bucket when the usage flush
/// runs (not before), by token, workload and account, by hour and by UTC day, zero-filled; old buckets are pruned in
/// bounded batches. The clock is the server's FakeTimeProvider, so an hour boundary is crossed exactly.
/// </summary>
public abstract class UsageApiTests(TesseraApp app)
{
    private const string BatchSetting = "Tessera:Usage:PruneBatchSize";

    // Only the tests' own flushes write uses: the background flush (on the real clock) would race them.
    private const string FlushSetting = "Tessera:Verification:UsageFlushInterval";

    public sealed class SqliteServer : IAsyncDisposable
    {
        public TesseraApp App { get; } = new() { Settings = { [BatchSetting] = "2", [FlushSetting] = "01:00:00" } };

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    public sealed class PostgresServer : IAsyncLifetime
    {
        public PostgresTesseraApp App { get; } = new() { Settings = { [BatchSetting] = "2", [FlushSetting] = "01:00:00" } };

        public ValueTask InitializeAsync() => App.InitializeAsync();

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    public sealed class OnSqlite(SqliteServer server) : UsageApiTests(server.App), IClassFixture<SqliteServer>;

    public sealed class OnPostgres(PostgresServer server) : UsageApiTests(server.App.Require()), IClassFixture<PostgresServer>;

    [Fact]
    public async Task Verifications_land_in_their_hour_only_after_a_flush_and_split_at_the_hour_boundary()
    {
        var account = await app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("usage-" + Guid.NewGuid().ToString("N")[..8]);
        var token = await account.CreateTokenAsync("alice", workload.Id);
        var boundary = NextHour(app.Time.GetUtcNow());
        app.Time.Advance(boundary - TimeSpan.FromMilliseconds(1500) - app.Time.GetUtcNow());

        // Two uses at hh:59:58.5, counted in memory only: the buckets know nothing yet.
        Assert.Equal("ok", await app.CodeAsync(token.Token, workload.Id));
        Assert.Equal("ok", await app.CodeAsync(token.Token, workload.Id));
        var window = $"from={Iso(boundary.AddHours(-1))}&to={Iso(boundary.AddHours(1))}";
        var before = Uses(await UsageAsync(account, $"?tokenId={token.Id}&{window}"));
        Assert.Equal([0L, 0L], before);
        await app.FlushUsageAsync();

        // Three uses two seconds later, in the next hour.
        app.Time.Advance(TimeSpan.FromSeconds(2));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("ok", await app.CodeAsync(token.Token, workload.Id));
        }
        await app.FlushUsageAsync();

        foreach (var filter in new[] { $"tokenId={token.Id}", $"workloadId={workload.Id}", "granularity=hour" })
        {
            var items = await UsageAsync(account, $"?{filter}&{window}");
            Assert.Equal([boundary.AddHours(-1), boundary], items.Select(i => i.Start));
            var uses = Uses(items);
            Assert.Equal([2L, 3L], uses);
        }
        // By UTC day: one bucket per day, at midnight, holding both hours' uses (or split if the boundary is midnight).
        var days = await UsageAsync(account, $"?tokenId={token.Id}&granularity=day&from={Iso(boundary.AddDays(-1))}&to={Iso(boundary.AddDays(1))}");
        Assert.All(days, d => Assert.Equal(TimeSpan.Zero, d.Start.TimeOfDay));
        Assert.Equal(5L, days.Sum(d => d.Uses));
        long[] expectedDays = boundary.TimeOfDay == TimeSpan.Zero ? [2L, 3L] : [0L, 5L, 0L];
        Assert.Equal(expectedDays, Uses(days));

        // Without from/to: the last 24 hours up to the current one, zeros included.
        var last24 = await UsageAsync(account, $"?tokenId={token.Id}");
        Assert.Equal(24, last24.Count);
        Assert.Equal(boundary, last24[^1].Start);
        long[] lastTwo = Uses(last24)[^2..];
        Assert.Equal([2L, 3L], lastTwo);
        Assert.Equal(5L, last24.Sum(i => i.Uses));
        Assert.Equal(30, (await UsageAsync(account, $"?tokenId={token.Id}&granularity=day")).Count);
        // And the lifetime counter agrees with the buckets.
        Assert.Equal(5, (await account.GetTokenAsync(token.Id)).UseCount);
    }

    [Fact]
    public async Task A_workload_keeps_the_uses_of_a_token_that_moved_on_and_the_account_sums_every_token()
    {
        var account = await app.NewAccountAsync();
        var first = await account.CreateWorkloadAsync("first-" + Guid.NewGuid().ToString("N")[..8]);
        var second = await account.CreateWorkloadAsync("second-" + Guid.NewGuid().ToString("N")[..8]);
        var mover = await account.CreateTokenAsync("mover", first.Id);
        var stayer = await account.CreateTokenAsync("stayer", second.Id);
        Assert.Equal("ok", await app.CodeAsync(mover.Token, first.Id));
        Assert.Equal("ok", await app.CodeAsync(stayer.Token, second.Id));
        await app.FlushUsageAsync();
        await account.PatchTokenAsync(mover.Id, new { workloadId = second.Id });
        await app.WaitForChangeFeedAsync();
        Assert.Equal("ok", await app.CodeAsync(mover.Token, second.Id));
        Assert.Equal("ok", await app.CodeAsync(mover.Token, second.Id));
        await app.FlushUsageAsync();

        Assert.Equal(1L, (await UsageAsync(account, $"?workloadId={first.Id}")).Sum(i => i.Uses));
        Assert.Equal(3L, (await UsageAsync(account, $"?workloadId={second.Id}")).Sum(i => i.Uses));
        Assert.Equal(3L, (await UsageAsync(account, $"?tokenId={mover.Id}")).Sum(i => i.Uses));
        Assert.Equal(4L, (await UsageAsync(account, "")).Sum(i => i.Uses));

        // A deleted token's uses stay in its workload's and the account's history; the token itself is gone (404).
        Assert.Equal(HttpStatusCode.NoContent, (await account.Client.DeleteAsync($"/v1/tokens/{stayer.Id}")).StatusCode);
        Assert.Equal(4L, (await UsageAsync(account, "")).Sum(i => i.Uses));
        await (await account.Client.GetAsync($"/v1/usage?tokenId={stayer.Id}")).ProblemAsync(HttpStatusCode.NotFound, ErrorCodes.TokenNotFound);

        // Another account sees none of it, and cannot name these objects.
        var stranger = await app.NewAccountAsync();
        Assert.Equal(0L, (await UsageAsync(stranger, "")).Sum(i => i.Uses));
        await (await stranger.Client.GetAsync($"/v1/usage?tokenId={mover.Id}")).ProblemAsync(HttpStatusCode.NotFound, ErrorCodes.TokenNotFound);
        await (await stranger.Client.GetAsync($"/v1/usage?workloadId={first.Id}")).ProblemAsync(HttpStatusCode.NotFound, ErrorCodes.WorkloadNotFound);
    }

    [Theory]
    [InlineData("?tokenId=tok_00000000000000000000000000000000&workloadId=wl_00000000000000000000000000000000")]
    [InlineData("?granularity=week")]
    [InlineData("?from=2026-12-01T00:00:00Z&to=2026-12-01T00:00:00Z")]
    [InlineData("?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z")]
    [InlineData("?from=2020-01-01T00:00:00Z&to=2026-12-01T00:00:00Z")]
    [InlineData("?from=yesterday")]
    [InlineData("?tokenid=x")]
    public async Task A_malformed_read_is_400_invalid_query(string query)
    {
        var account = await app.NewAccountAsync();
        await (await account.Client.GetAsync("/v1/usage" + query)).ProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.InvalidQuery);
    }

    [Fact]
    public async Task Buckets_older_than_the_retention_are_pruned_in_bounded_batches_and_younger_ones_kept()
    {
        var ct = TestContext.Current.CancellationToken;
        var account = await app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("prune-" + Guid.NewGuid().ToString("N")[..8]);
        var tokens = new List<CreatedTokenResponse>();
        for (var i = 0; i < 3; i++)
        {
            tokens.Add(await account.CreateTokenAsync($"old-{i}", workload.Id));
            Assert.Equal("ok", await app.CodeAsync(tokens[^1].Token, workload.Id));
        }
        await app.FlushUsageAsync();
        var oldHour = NextHour(app.Time.GetUtcNow()).AddHours(-1);
        var pruner = app.Services.GetRequiredService<UsagePruner>();

        // 90 days after the end of the old hour, it is still kept ...
        app.Time.Advance(oldHour.AddHours(1).AddDays(90) - app.Time.GetUtcNow() - TimeSpan.FromMilliseconds(1));
        await pruner.PruneAsync(ct);
        Assert.Equal(3L, await StoredAsync(account, oldHour));
        // ... and one millisecond later it is not: one statement deletes at most a batch (2), a pass runs until none is left.
        app.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, await app.Services.GetRequiredService<IUsageStore>().PruneAsync(Instants.Now(app.Time) - TimeSpan.FromDays(90), 2, ct));
        Assert.True(await pruner.PruneAsync(ct) >= 1);
        Assert.Equal(0, await pruner.PruneAsync(ct));
        Assert.Equal(0L, await StoredAsync(account, oldHour));

        // A use now is kept.
        var fresh = await account.CreateTokenAsync("young", workload.Id);
        Assert.Equal("ok", await app.CodeAsync(fresh.Token, workload.Id));
        await app.FlushUsageAsync();
        Assert.Equal(0, await pruner.PruneAsync(ct));
        Assert.Equal(1L, (await UsageAsync(account, $"?workloadId={workload.Id}")).Sum(i => i.Uses));
    }

    private async Task<long> StoredAsync(TestAccount account, DateTimeOffset hour) =>
        (await app.Services.GetRequiredService<IUsageStore>().ReadAsync(account.Id,
            new Core.Usage.UsageQuery(null, null, hour, hour.AddHours(1), Core.Usage.UsageGranularity.Hour), TestContext.Current.CancellationToken))
        .Sum(b => b.Uses);

    private static async Task<List<UsageBucketResponse>> UsageAsync(TestAccount account, string query) =>
        [.. (await (await account.Client.GetAsync("/v1/usage" + query)).ReadAsync<ItemsResponse<UsageBucketResponse>>()).Items];

    private static long[] Uses(IEnumerable<UsageBucketResponse> items) => [.. items.Select(i => i.Uses)];

    private static DateTimeOffset NextHour(DateTimeOffset at) =>
        new DateTimeOffset(at.Year, at.Month, at.Day, at.Hour, 0, 0, TimeSpan.Zero).AddHours(1);

    private static string Iso(DateTimeOffset at) => Uri.EscapeDataString(Instants.Format(at));
}
