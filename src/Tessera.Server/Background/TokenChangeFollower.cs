using Tessera.Core.Storage;
using Tessera.Core.Verification;

namespace Tessera.Server.Background;

/// <summary>
/// Reads the token change feed every <see cref="VerificationOptions.FeedInterval"/> and makes memory
/// forget every token changed through any server; marks memory trusted after each complete read.
/// Also prunes the feed (any server may, at once) and sweeps expired unknown hashes.
/// </summary>
public sealed class TokenChangeFollower(ITokenChangeFeed feed, KnownTokens known, VerificationOptions options, VerificationMetrics metrics,
    TimeProvider time, ILogger<TokenChangeFollower> logger) : BackgroundService
{
    private const int BatchSize = 5_000;

    /// <summary>A missing position older than this belonged to a transaction that rolled back.</summary>
    private static readonly TimeSpan GapTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Feed rows are needed only until every server has read them; an hour is plenty.</summary>
    private static readonly TimeSpan Retention = TimeSpan.FromHours(1);

    private static readonly TimeSpan HousekeepingInterval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ChangeFeedCursor? cursor = null;
        // Jitter, so replicas started together do not prune in lockstep.
        var nextHousekeeping = Environment.TickCount64 + Random.Shared.NextInt64((long)HousekeepingInterval.TotalMilliseconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            var tick = Environment.TickCount64;
            try
            {
                if (cursor is null)
                {
                    // Memory starts empty: everything before this position is read from the store anyway.
                    cursor = new ChangeFeedCursor(await feed.LatestPositionAsync(stoppingToken), (long)GapTimeout.TotalMilliseconds);
                }
                else
                {
                    await CatchUpAsync(cursor, tick, stoppingToken);
                }
                known.MarkSynced(tick);
                if (tick >= nextHousekeeping)
                {
                    nextHousekeeping = tick + (long)HousekeepingInterval.TotalMilliseconds;
                    known.SweepUnknown(tick);
                    await feed.PruneAsync(time.GetUtcNow() - Retention, stoppingToken);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                metrics.DatabaseError();
                logger.LogWarning("Could not read the token change feed ({Error}); verification reads the store until it can.", e.Message);
            }
            try
            {
                await Task.Delay(options.FeedInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task CatchUpAsync(ChangeFeedCursor cursor, long tick, CancellationToken cancellationToken)
    {
        var from = cursor.Floor;
        while (true)
        {
            var changes = await feed.ReadAfterAsync(from, BatchSize, cancellationToken);
            foreach (var change in changes)
            {
                if (cursor.Accept(change.Position))
                {
                    known.Forget(change.Hash);
                }
            }
            if (changes.Count < BatchSize)
            {
                break;
            }
            from = changes[^1].Position;
        }
        cursor.Advance(tick);
    }
}
