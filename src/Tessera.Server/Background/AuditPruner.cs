using Tessera.Core.Audit;

namespace Tessera.Server.Background;

/// <summary>
/// Deletes audit entries older than Tessera:Audit:Retention every PruneInterval, in bounded batches.
/// Starts and repeats with jitter so replicas sharing a database do not prune in lockstep; pruning is
/// idempotent, so two servers pruning at once only share the work.
/// </summary>
public sealed class AuditPruner(AuditService audit, AuditOptions options, ILogger<AuditPruner> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRunWithin = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = Jitter(options.PruneInterval < FirstRunWithin ? options.PruneInterval : FirstRunWithin);
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
            delay = options.PruneInterval * 0.9 + Jitter(options.PruneInterval * 0.2);
        }
    }

    /// <summary>One pruning pass (also what tests call); returns how many entries were deleted, or -1 when the database failed.</summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        try
        {
            var deleted = await audit.PruneAsync(cancellationToken);
            if (deleted > 0)
            {
                logger.LogInformation("Pruned {Count} audit entries older than {Retention}.", deleted, options.Retention);
            }
            return deleted;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Could not prune the audit trail ({Error}); will try again.", e.Message);
            return -1;
        }
    }

    private static TimeSpan Jitter(TimeSpan upTo) => TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * upTo.TotalMilliseconds);
}
