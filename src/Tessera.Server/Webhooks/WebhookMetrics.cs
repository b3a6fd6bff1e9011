using System.Diagnostics.Metrics;
using Tessera.Core.Verification;

namespace Tessera.Server.Webhooks;

/// <summary>
/// Webhook delivery attempts by result (meter "Tessera": <c>tessera_webhook_deliveries_total{result="succeeded|failed"}</c>),
/// which examples/observability's TesseraWebhookFailures alert watches. Both series start at zero, so the alert reads
/// "no failures" rather than "no data" on a server that has delivered nothing yet.
/// </summary>
public sealed class WebhookMetrics
{
    private readonly Counter<long> _deliveries;

    public WebhookMetrics(IMeterFactory meterFactory)
    {
        _deliveries = meterFactory.Create(VerificationMetrics.MeterName)
            .CreateCounter<long>("tessera.webhook.deliveries", "{attempt}", "Webhook delivery attempts by result (succeeded: a 2xx answer).");
        _deliveries.Add(0, new KeyValuePair<string, object?>("result", "succeeded"));
        _deliveries.Add(0, new KeyValuePair<string, object?>("result", "failed"));
    }

    public void Attempted(bool succeeded) =>
        _deliveries.Add(1, new KeyValuePair<string, object?>("result", succeeded ? "succeeded" : "failed"));
}
