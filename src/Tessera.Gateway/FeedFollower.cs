using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Tessera.Gateway;

/// <summary>
/// Keeps the replica: a snapshot, then the changes after its position by long poll, applied as they arrive; a new
/// snapshot when Tessera answers 410 position_expired. Never stops trying while the host runs.
/// </summary>
internal sealed partial class FeedFollower(TesseraReplica replica, FeedClient feed, GatewayMetrics metrics, IOptions<TesseraGatewayOptions> options,
    ILogger<FeedFollower> logger) : BackgroundService
{
    private readonly int _waitSeconds = Math.Clamp((int)Math.Round(options.Value.PollWait.TotalSeconds), 1, 30);
    private readonly TimeSpan _maxRetryDelay = options.Value.MaxRetryDelay;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var needSnapshot = true;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (needSnapshot)
                {
                    var table = replica.NewTable();
                    var position = await feed.SnapshotAsync(table, stoppingToken);
                    replica.Replace(table, position);
                    metrics.SnapshotLoaded();
                    LogSnapshot(logger, table.Known.Count, position);
                    needSnapshot = false;
                }
                // Straight after a snapshot or a busy answer: ask without waiting, so the replica shows it is current at once.
                var wait = true;
                while (!stoppingToken.IsCancellationRequested)
                {
                    var waitSeconds = wait ? _waitSeconds : 0;
                    replica.PollSent(TimeSpan.FromSeconds(waitSeconds));
                    var answer = await feed.ChangesAsync(replica.Position, waitSeconds, stoppingToken);
                    if (answer is null)
                    {
                        LogExpired(logger, replica.Position);
                        replica.PollAnswered();
                        needSnapshot = true;
                        break;
                    }
                    foreach (var change in answer.Changes)
                    {
                        replica.Apply(change);
                    }
                    replica.Advance(answer.Position);
                    metrics.ChangesApplied(answer.Changes.Count);
                    // A full answer (Tessera sends at most 1,000) may leave more behind: current only once one is not full.
                    if (answer.Changes.Count < 1_000)
                    {
                        replica.Synced();
                    }
                    else
                    {
                        replica.PollAnswered();
                    }
                    if (failures > 0)
                    {
                        LogRecovered(logger);
                        failures = 0;
                    }
                    wait = answer.Changes.Count == 0;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException or FormatException or
                                          System.Text.Json.JsonException or FeedRefusedException or OperationCanceledException)
            {
                replica.PollFailed();
                metrics.FeedError();
                if (failures++ == 0)
                {
                    LogFailed(logger, e.GetType().Name, e.Message);
                }
                var delay = TimeSpan.FromMilliseconds(Math.Min(_maxRetryDelay.TotalMilliseconds, 100 * Math.Pow(2, Math.Min(failures - 1, 10))));
                try
                {
                    await Task.Delay(delay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Tessera gateway replica loaded: {Count} tokens at position {Position}.")]
    private static partial void LogSnapshot(ILogger logger, int count, long position);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tessera no longer holds the changes after position {Position}: taking a new snapshot.")]
    private static partial void LogExpired(ILogger logger, long position);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Tessera gateway feed failed ({Kind}: {Message}); retrying. Past the trust window every request gets 503.")]
    private static partial void LogFailed(ILogger logger, string kind, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "The Tessera gateway feed answers again.")]
    private static partial void LogRecovered(ILogger logger);
}
