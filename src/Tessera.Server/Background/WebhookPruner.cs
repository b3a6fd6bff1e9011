using Tessera.Core.Webhooks;

namespace Tessera.Server.Background;

/// <summary>Deletes finished webhook deliveries and delivered events older than Tessera:Webhooks:Retention every PruneInterval, in bounded batches.</summary>
public sealed class WebhookPruner(WebhookService webhooks, WebhookOptions options, ILogger<WebhookPruner> logger)
    : RetentionPruner(options.PruneInterval, options.Retention, "webhook deliveries and events", logger)
{
    protected override Task<int> PruneOnceAsync(CancellationToken cancellationToken) => webhooks.PruneAsync(cancellationToken);
}
