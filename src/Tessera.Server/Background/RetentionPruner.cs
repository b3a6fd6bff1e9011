namespace Tessera.Server.Background;

/// <summary>
/// Deletes what is older than a retention every prune interval, in bounded batches (the audit trail, the usage
/// buckets). Starts and repeats with jitter so replicas sharing a database do not prune in lockstep; pruning is
/// idempotent, so two servers pruning at once only share the work.
/// </summary>
public abstract class RetentionPruner(TimeSpan interval, TimeSpan retention, string what, ILogger logger) : BackgroundService
{
    private static readonly TimeSpan FirstRunWithin = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = Jitter(interval < FirstRunWithin ? interval : FirstRunWithin);
        while (true)
        {
            try
            {
                await Task.Delay(delay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await PruneAsync(stoppingToken);
            // The interval, ±10%.
            delay = interval * 0.9 + Jitter(interval * 0.2);
        }
    }

    /// <summary>One pruning pass (also what tests call); returns how many rows were deleted, or -1 when the database failed.</summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        try
        {
            var deleted = await PruneOnceAsync(cancellationToken);
            if (deleted > 0)
            {
                logger.LogInformation("Pruned {Count} {What} older than {Retention}.", deleted, what, retention);
            }
            return deleted;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Could not prune {What} ({Error}); will try again.", what, e.Message);
            return -1;
        }
    }

    /// <summary>Deletes everything past the retention, batch after batch; returns how many rows.</summary>
    protected abstract Task<int> PruneOnceAsync(CancellationToken cancellationToken);

    private static TimeSpan Jitter(TimeSpan upTo) => TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * upTo.TotalMilliseconds);
}
