using Tessera.Core.Webhooks;

namespace Tessera.Server.Background;

/// <summary>
/// Runs the expiry scan every Tessera:Webhooks:ExpiryScanInterval (±10%, and a jittered first run, so replicas do
/// not scan in lockstep; several scanning at once still emit each warning once).
/// </summary>
public sealed class ExpiryScanner(ExpiryWarnings warnings, WebhookOptions options, TimeProvider time, ILogger<ExpiryScanner> logger)
    : JitteredPasses(options.ExpiryScanInterval, time)
{
    protected override Task PassAsync(CancellationToken stoppingToken) => ScanAsync(stoppingToken);

    /// <summary>One scan (also what tests call); the number of warnings emitted, or -1 when the database failed.</summary>
    public async Task<int> ScanAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await warnings.ScanAsync(cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Could not scan for expiring tokens ({Error}); will try again.", e.Message);
            return -1;
        }
    }
}
