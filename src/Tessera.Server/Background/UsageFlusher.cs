using Tessera.Core.Storage;
using Tessera.Core.Verification;

namespace Tessera.Server.Background;

/// <summary>
/// Writes the uses counted in memory to the store every <see cref="VerificationOptions.UsageFlushInterval"/>,
/// in writes of at most <see cref="VerificationOptions.UsageFlushBatch"/> tokens, and once more on graceful
/// shutdown. Uses a failed write did not store are kept for the next flush (those already written are not
/// given back, so none is counted twice); a crash loses at most one interval of them.
/// </summary>
public sealed class UsageFlusher(ITokenStore store, KnownTokens known, VerificationOptions options, VerificationMetrics metrics,
    StoreBreaker breaker, TimeProvider time, ILogger<UsageFlusher> logger) : BackgroundService
{
    private static readonly TimeSpan ShutdownFlushTimeout = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.UsageFlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                // While the store is known to hang, the uses wait in memory: a write that hangs only adds a statement
                // for the driver to cancel, and its cancel holds a thread (ADR 0007, amendment, item 8).
                if (!breaker.IsOpen(time.GetTimestamp()))
                {
                    await FlushAsync(stoppingToken);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: the final flush runs in StopAsync.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        using var timeout = new CancellationTokenSource(ShutdownFlushTimeout);
        await FlushAsync(timeout.Token);
    }

    /// <summary>Writes what has been counted so far; false when the store refused it (the uses are kept).</summary>
    public async Task<bool> FlushAsync(CancellationToken cancellationToken)
    {
        var taken = known.TakeUsage();
        var written = 0;
        try
        {
            while (written < taken.Count)
            {
                var batch = taken.GetRange(written, Math.Min(options.UsageFlushBatch, taken.Count - written));
                await store.RecordUsageAsync(batch, cancellationToken);
                written += batch.Count;
            }
            metrics.UsageFlushed();
            return true;
        }
        catch (Exception e)
        {
            known.ReturnUsage(taken.Skip(written));
            metrics.DatabaseError();
            logger.LogWarning("Could not write {Count} tokens' usage ({Error}); kept for the next flush.", taken.Count - written, e.Message);
            return false;
        }
    }
}
