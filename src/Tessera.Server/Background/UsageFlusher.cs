using Tessera.Core.Storage;
using Tessera.Core.Verification;

namespace Tessera.Server.Background;

/// <summary>
/// Writes the uses counted in memory to the store in one transaction every
/// <see cref="VerificationOptions.UsageFlushInterval"/>, and once more on graceful shutdown. A failed
/// write keeps the uses for the next flush; a crash loses at most one interval of them.
/// </summary>
public sealed class UsageFlusher(ITokenStore store, KnownTokens known, VerificationOptions options, VerificationMetrics metrics,
    ILogger<UsageFlusher> logger) : BackgroundService
{
    private static readonly TimeSpan ShutdownFlushTimeout = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.UsageFlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(stoppingToken);
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
        try
        {
            await store.RecordUsageAsync(taken, cancellationToken);
            metrics.UsageFlushed();
            return true;
        }
        catch (Exception e)
        {
            known.ReturnUsage(taken);
            metrics.DatabaseError();
            logger.LogWarning("Could not write {Count} tokens' usage ({Error}); kept for the next flush.", taken.Count, e.Message);
            return false;
        }
    }
}
