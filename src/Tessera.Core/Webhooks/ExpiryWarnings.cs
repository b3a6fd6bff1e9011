using System.Xml;
using Tessera.Core.Events;

namespace Tessera.Core.Webhooks;

/// <summary>
/// The expiry scan (API.md §7): <c>token.expiring</c> once per threshold and expiry value (a renewal moves the
/// expiry and so re-arms every threshold), <c>token.expired</c> once. A token that enters a window late (created or
/// set to expire within a day) gets only the shortest threshold it is within, not every longer one at once. Safe on
/// several servers: the store's unique key on (token, threshold, expiry) lets one emit each warning.
/// </summary>
public sealed class ExpiryWarnings(IWebhookStore store, WebhookOptions options, TimeProvider time)
{
    /// <summary>How far back an expiry still gets its <c>token.expired</c> (a server down longer does not flood receivers with old news).</summary>
    public static readonly TimeSpan ExpiredLookback = TimeSpan.FromDays(7);

    private const int Batch = 500;

    /// <summary>One scan; returns how many warnings it emitted.</summary>
    public async Task<int> ScanAsync(CancellationToken cancellationToken)
    {
        var now = Instants.Now(time);
        var total = 0;
        var thresholds = options.Warnings;
        for (var i = 0; i < thresholds.Count; i++)
        {
            var threshold = thresholds[i];
            TimeSpan? next = i + 1 < thresholds.Count ? thresholds[i + 1] : null;
            total += await EmitAllAsync(now, threshold, next, t =>
            {
                var data = EventData.Token(t, now);
                data["expiresIn"] = XmlConvert.ToString(threshold);
                return OutboxEvent.Of(t.AccountId, EventTypes.TokenExpiring, now, data);
            }, cancellationToken);
        }
        total += await EmitAllAsync(now, TimeSpan.Zero, null,
            t => OutboxEvent.Of(t.AccountId, EventTypes.TokenExpired, now, EventData.Token(t, now)), cancellationToken);
        return total;
    }

    private async Task<int> EmitAllAsync(DateTimeOffset now, TimeSpan threshold, TimeSpan? next, Func<Tokens.QueryToken, OutboxEvent> build,
        CancellationToken cancellationToken)
    {
        var total = 0;
        int emitted;
        do
        {
            emitted = await store.EmitExpiryWarningsAsync(now, threshold, next, ExpiredLookback, Batch, build, cancellationToken);
            total += emitted;
        }
        while (emitted == Batch);
        return total;
    }
}
