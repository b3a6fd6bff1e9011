using Tessera.Core.Verification;
using Tessera.Storage.Sql;

namespace Tessera.Server.Background;

/// <summary>
/// On PostgreSQL, LISTENs for the change feed's NOTIFY and wakes the <see cref="TokenChangeFollower"/> at once, so a
/// change made through another server is applied here (and answers gateways' long polls) in milliseconds instead of
/// at the next poll (ADR 0016). The poll stays: a lost connection, a missed notification or SQLite change nothing
/// but the delay, which falls back to <see cref="VerificationOptions.FeedInterval"/>.
/// </summary>
public sealed class ChangeListener(SqlDatabase database, VerificationOptions options, FeedWakeup wakeup, ILogger<ChangeListener> logger)
    : BackgroundService
{
    private static readonly TimeSpan Retry = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!database.PushesChanges || !options.Push)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await database.ListenForChangesAsync(wakeup.Wake, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning("Not listening for change notifications ({Error}); the change feed is polled every {Interval} until it can.",
                    e.Message, options.FeedInterval);
            }
            try
            {
                await Task.Delay(Retry, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
