using System.Diagnostics.Metrics;

namespace Tessera.Core.Verification;

/// <summary>The query side's instruments (meter "Tessera"), exported at /metrics.</summary>
public sealed class VerificationMetrics
{
    public const string MeterName = "Tessera";

    private readonly Counter<long> _verifications;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _memoryHits;
    private readonly Counter<long> _memoryMisses;
    private readonly Counter<long> _databaseErrors;
    private readonly Counter<long> _memoryResets;
    private readonly Counter<long> _entriesReread;
    private readonly TimeProvider _time;
    private long _lastFlush;

    public VerificationMetrics(IMeterFactory meterFactory, KnownTokens known, TimeProvider time)
    {
        _time = time;
        _lastFlush = time.GetTimestamp();
        var meter = meterFactory.Create(MeterName);
        _verifications = meter.CreateCounter<long>("tessera.verifications", "{verification}", "Query-side verifications by result code.");
        _duration = meter.CreateHistogram("tessera.verification.duration", "s", "Time to verify one presented token.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.000_001, 0.000_002, 0.000_005, 0.000_01, 0.000_05, 0.000_1, 0.000_5, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1] });
        _memoryHits = meter.CreateCounter<long>("tessera.verification.memory_hits", "{verification}", "Verifications answered from memory.");
        _memoryMisses = meter.CreateCounter<long>("tessera.verification.memory_misses", "{verification}", "Verifications that had to read the store.");
        _databaseErrors = meter.CreateCounter<long>("tessera.database.errors", "{error}", "Store calls that failed (unreachable, timed out).");
        _memoryResets = meter.CreateCounter<long>("tessera.verification.memory_resets", "{reset}",
            "Times the query side forgot everything because it could not show it had seen every change, by reason.");
        _entriesReread = meter.CreateCounter<long>("tessera.verification.entries_reread", "{token}",
            "Remembered tokens read from the store again because they reached MaxEntryAge.");
        // Every counter exists from the start, at zero: an alert on "errors increased" needs a series before the first error,
        // or it reads "no data" on a healthy server (issue 19).
        foreach (var outcome in Enum.GetValues<VerificationOutcome>())
        {
            _verifications.Add(0, new KeyValuePair<string, object?>("result", Verification.CodeOf(outcome)));
        }
        _memoryHits.Add(0);
        _memoryMisses.Add(0);
        _databaseErrors.Add(0);
        _entriesReread.Add(0);
        foreach (var reason in (string[])["pruned", "stale", "given_up"])
        {
            _memoryResets.Add(0, new KeyValuePair<string, object?>("reason", reason));
        }
        meter.CreateObservableGauge("tessera.known_tokens", () => known.Count, "{token}", "Tokens remembered by the query side.");
        meter.CreateObservableGauge("tessera.unknown_hashes", () => known.UnknownCount, "{hash}", "Unknown hashes remembered by the query side.");
        meter.CreateObservableGauge("tessera.usage.flush_lag", () => time.GetElapsedTime(Volatile.Read(ref _lastFlush)).TotalSeconds, "s",
            "Time since uses were last written to the store.");
        meter.CreateObservableGauge("tessera.change_feed.lag", () => known.SyncedAt is { } at ? time.GetElapsedTime(at).TotalSeconds : double.NaN, "s",
            "Time since the token change feed was last read.");
    }

    /// <summary>The timestamp a verification's duration is measured from; 0 (no clock read) while nothing listens to it.</summary>
    public long Start() => _duration.Enabled ? System.Diagnostics.Stopwatch.GetTimestamp() : 0;

    public void Verified(string code, long startTimestamp, bool fromMemory)
    {
        _verifications.Add(1, new KeyValuePair<string, object?>("result", code));
        if (startTimestamp != 0)
        {
            _duration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);
        }
        (fromMemory ? _memoryHits : _memoryMisses).Add(1);
    }

    public void DatabaseError() => _databaseErrors.Add(1);

    /// <summary>Memory was emptied: <paramref name="reason"/> is pruned, stale or given_up.</summary>
    public void MemoryReset(string reason) => _memoryResets.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void EntriesReread(int count) => _entriesReread.Add(count);

    public void UsageFlushed() => Volatile.Write(ref _lastFlush, _time.GetTimestamp());
}
