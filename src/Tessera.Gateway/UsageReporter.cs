using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Tessera.Gateway;

/// <summary>Reports the uses verified here to Tessera every <see cref="TesseraGatewayOptions.UsageInterval"/>, and once more on shutdown.</summary>
internal sealed partial class UsageReporter(TesseraReplica replica, FeedClient feed, GatewayMetrics metrics, IOptions<TesseraGatewayOptions> options,
    ILogger<UsageReporter> logger) : BackgroundService
{
    private const int Batch = 1_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.UsageInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await ReportAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // What was counted since the last tick still reaches Tessera.
        await ReportAsync(cancellationToken);
    }

    private async Task ReportAsync(CancellationToken cancellationToken)
    {
        var taken = replica.TakeUsage();
        for (var i = 0; i < taken.Count; i += Batch)
        {
            var batch = taken.GetRange(i, Math.Min(Batch, taken.Count - i));
            try
            {
                await feed.ReportUsageAsync(batch, cancellationToken);
                metrics.UsesReported(batch.Sum(u => u.Uses));
            }
            catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or FeedRefusedException)
            {
                // Kept for the next report: a use is never lost to an outage.
                replica.ReturnUsage(taken.Skip(i));
                LogFailed(logger, e.GetType().Name, e.Message);
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reporting uses to Tessera failed ({Kind}: {Message}); they go with the next report.")]
    private static partial void LogFailed(ILogger logger, string kind, string message);
}
