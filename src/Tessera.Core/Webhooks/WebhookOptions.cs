using System.Globalization;

namespace Tessera.Core.Webhooks;

/// <summary>Tessera:Webhooks (API.md §7; README configuration table).</summary>
public sealed class WebhookOptions
{
    /// <summary>The waits between attempts after each failure, comma-separated TimeSpans; after the last, the delivery is <c>failed</c>.</summary>
    public string RetrySchedule { get; set; } = "00:00:05,00:05:00,00:30:00,02:00:00,05:00:00,10:00:00,10:00:00";

    /// <summary>An endpoint failing without a success for this long is disabled.</summary>
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(5);

    /// <summary>
    /// This server attempts deliveries (the default). Off, it still writes every event and delivery to the outbox with the
    /// change, and answers the whole API; another server sharing the database attempts them (ADR 0015: deliveries from
    /// a process of their own, so the servers that answer requests spend no CPU on outgoing ones).
    /// </summary>
    public bool Deliver { get; set; } = true;

    /// <summary>Accept http:// destinations (tests, private networks).</summary>
    public bool AllowHttp { get; set; }

    /// <summary>Accept loopback, private and link-local destinations (tests, private networks).</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>The thresholds before expiry at which <c>token.expiring</c> is sent, comma-separated TimeSpans.</summary>
    public string ExpiryWarnings { get; set; } = "7.00:00:00,1.00:00:00";

    /// <summary>How often a server looks for tokens to warn about.</summary>
    public TimeSpan ExpiryScanInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Finished deliveries (succeeded or failed) whose last attempt is older than this leave the deliveries log, and events
    /// older than this with no delivery left are deleted (pending deliveries and their events are kept whatever their age).
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often a server prunes past <see cref="Retention"/>.</summary>
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Rows deleted per statement when pruning: each batch is its own short write.</summary>
    public int PruneBatchSize { get; set; } = 1_000;

    /// <summary>How long one attempt may take (API.md §7: 15 s); not a setting.</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(15);

    /// <summary>The most endpoints one account may have: each change is fanned out to them in its own transaction.</summary>
    public const int MaxEndpointsPerAccount = 1_000;

    public IReadOnlyList<TimeSpan> Retries => _retries ??= Parse(RetrySchedule, nameof(RetrySchedule), allowEmpty: true);

    /// <summary>The thresholds, longest first.</summary>
    public IReadOnlyList<TimeSpan> Warnings => _warnings ??= [.. Parse(ExpiryWarnings, nameof(ExpiryWarnings), allowEmpty: true).OrderDescending()];

    /// <summary>The first (longest) warning threshold: what <c>state=expiring</c> lists; zero without warnings.</summary>
    public TimeSpan ExpiringWithin => Warnings.Count > 0 ? Warnings[0] : TimeSpan.Zero;

    private IReadOnlyList<TimeSpan>? _retries;
    private IReadOnlyList<TimeSpan>? _warnings;

    /// <summary>Throws <see cref="ArgumentException"/> naming the setting when a value is unusable.</summary>
    public void Validate()
    {
        _ = Retries;
        _ = Warnings;
        if (DisableAfter <= TimeSpan.Zero || ExpiryScanInterval <= TimeSpan.Zero || Retention <= TimeSpan.Zero || PruneInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("Tessera:Webhooks: DisableAfter, ExpiryScanInterval, Retention and PruneInterval must be positive TimeSpans.");
        }
        if (PruneBatchSize <= 0)
        {
            throw new ArgumentException("Tessera:Webhooks:PruneBatchSize must be positive.");
        }
    }

    private static List<TimeSpan> Parse(string value, string name, bool allowEmpty)
    {
        var spans = new List<TimeSpan>();
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!TimeSpan.TryParse(part, CultureInfo.InvariantCulture, out var span) || span <= TimeSpan.Zero)
            {
                throw new ArgumentException($"Tessera:Webhooks:{name}: '{part}' is not a positive TimeSpan (e.g. 00:05:00 or 7.00:00:00).");
            }
            spans.Add(span);
        }
        if (spans.Count == 0 && !allowEmpty)
        {
            throw new ArgumentException($"Tessera:Webhooks:{name} needs at least one TimeSpan.");
        }
        return spans;
    }
}
