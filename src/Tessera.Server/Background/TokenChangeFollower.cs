using Tessera.Core;
using Tessera.Core.Gateway;
using Tessera.Core.Storage;
using Tessera.Core.Verification;

namespace Tessera.Server.Background;

/// <summary>
/// Reads the token change feed every <see cref="VerificationOptions.FeedInterval"/> (at once when <see cref="ChangeListener"/> is
/// notified of a change) and makes memory
/// forget every token changed through any server; marks memory trusted after each complete read. Also
/// prunes the feed (any server may, at once) and sweeps expired unknown hashes.
/// </summary>
/// <remarks>
/// Memory may be trusted only while the follower can show it saw every change since its last read
/// (ADR 0007, amendment "continuity"). When it cannot, memory forgets everything and every token is read
/// from the store again: rows it had not read were pruned (the database's watermark is past its place),
/// its last successful read is older than the feed's retention, or a position it read past never appeared
/// within the retention (its transaction might still commit, and then would be pruned unseen). A position
/// read past after <see cref="VerificationOptions.GapTimeout"/> is watched until then, and applied if it
/// commits late.
/// </remarks>
public sealed class TokenChangeFollower(ITokenChangeFeed feed, KnownTokens known, VerificationOptions options, VerificationMetrics metrics,
    StoreBreaker breaker, GatewayWaiters gateways, FeedWakeup wakeup, TimeProvider time, ILogger<TokenChangeFollower> logger) : BackgroundService
{
    private const int BatchSize = 5_000;

    /// <summary>The most positions watched at once; past it, memory starts over instead.</summary>
    private const int MaxWatched = 10_000;

    /// <summary>Feed rows are needed only until every server has read them; an hour is plenty.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(1);

    private static readonly TimeSpan HousekeepingInterval = TimeSpan.FromMinutes(1);

    /// <summary>Positions read past before they appeared, with when (a timestamp of the clock) they were given up on.</summary>
    private readonly Dictionary<long, long> _watched = [];
    private ChangeFeedCursor? _cursor;
    private long _lastRead;

    private long RetentionSpan => time.TimestampSpan(Retention);

    private long HousekeepingSpan => time.TimestampSpan(HousekeepingInterval);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Jitter, so replicas started together do not prune in lockstep.
        var nextHousekeeping = time.GetTimestamp() + Random.Shared.NextInt64(HousekeepingSpan);
        while (!stoppingToken.IsCancellationRequested)
        {
            var tick = time.GetTimestamp();
            try
            {
                // While the store is known to hang, one read per break is enough to notice it is back: each read
                // that hangs leaves the driver a statement to cancel, and its cancel holds a thread (ADR 0007).
                if (breaker.IsOpen(tick))
                {
                    await Task.Delay(options.FeedInterval, stoppingToken);
                    continue;
                }
                await ReadAsync(tick, stoppingToken);
                known.MarkSynced(tick);
                breaker.Close();
                if (tick >= nextHousekeeping)
                {
                    nextHousekeeping = tick + HousekeepingSpan;
                    known.SweepUnknown(tick);
                    await feed.PruneAsync(Retention, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                metrics.DatabaseError();
                breaker.Trip(time.GetTimestamp());
                logger.LogWarning("Could not read the token change feed ({Error}); verification reads the store until it can.", e.Message);
            }
            try
            {
                // A NOTIFY (ChangeListener) ends the wait early; the interval is the fallback.
                await wakeup.WaitAsync(options.FeedInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One complete read of the feed, begun at timestamp <paramref name="tick"/>: every change since the last one applied, or memory emptied.</summary>
    internal async Task ReadAsync(long tick, CancellationToken cancellationToken)
    {
        if (_cursor is null)
        {
            // Memory starts empty: everything before this position is read from the store anyway.
            _cursor = new ChangeFeedCursor(await feed.LatestPositionAsync(cancellationToken), time.TimestampSpan(options.GapTimeout));
            _lastRead = tick;
            return;
        }
        var cursor = _cursor;
        var floor = cursor.Floor;
        if (tick - _lastRead > RetentionSpan)
        {
            // Paused (or failing) for longer than rows are kept: whatever the feed says now may be incomplete.
            ForgetAll("stale", "the last successful read of the change feed is older than its retention");
        }
        var from = floor;
        while (true)
        {
            var changes = await feed.ReadAfterAsync(from, BatchSize, cancellationToken);
            foreach (var change in changes)
            {
                if (cursor.Accept(change.Position))
                {
                    known.Forget(change.Hash);
                    if (change.AccountId is { } account)
                    {
                        gateways.Signal(account);
                    }
                }
            }
            if (changes.Count < BatchSize)
            {
                break;
            }
            from = changes[^1].Position;
        }
        if (_watched.Count > 0)
        {
            foreach (var late in await feed.ReadAtAsync(_watched.Keys, cancellationToken))
            {
                known.Forget(late.Hash);
                _watched.Remove(late.Position);
                if (late.AccountId is { } account)
                {
                    gateways.Signal(account);
                }
            }
        }
        // Read after the rows: a prune that ran meanwhile is seen here, so nothing it removed goes unnoticed.
        var prunedThrough = await feed.PrunedThroughAsync(cancellationToken);
        if (prunedThrough > floor || _watched.Keys.Any(p => p <= prunedThrough))
        {
            ForgetAll("pruned", "change-feed rows this server had not read were pruned");
            cursor.SkipTo(prunedThrough);
            // Positions above the watermark stay watched: one may still commit, and change a token read again since.
            foreach (var gone in _watched.Keys.Where(p => p <= prunedThrough).ToList())
            {
                _watched.Remove(gone);
            }
        }
        foreach (var position in cursor.Advance(tick))
        {
            _watched[position] = tick;
        }
        if (_watched.Count > 0)
        {
            ForgetExpiredWatches(tick);
        }
        _lastRead = tick;
    }

    /// <summary>A watched position still missing after the retention (or too many watched) makes memory start over.</summary>
    private void ForgetExpiredWatches(long tick)
    {
        var expired = _watched.Where(w => tick - w.Value > RetentionSpan).Select(w => w.Key).ToList();
        if (expired.Count == 0 && _watched.Count <= MaxWatched)
        {
            return;
        }
        ForgetAll("given_up", "a change-feed position never appeared within the feed's retention");
        foreach (var position in _watched.Count <= MaxWatched ? expired : [.. _watched.Keys])
        {
            _watched.Remove(position);
        }
    }

    private void ForgetAll(string reason, string why)
    {
        known.ForgetAll();
        metrics.MemoryReset(reason);
        logger.LogWarning("The query side forgot every remembered token: {Why}. Each is read from the store again.", why);
    }
}
