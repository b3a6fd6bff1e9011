using System.Diagnostics.Metrics;
using Tessera.Core.Leaks;
using Tessera.Core.Verification;

namespace Tessera.Server.Leaks;

/// <summary>
/// Leak reports as /metrics shows them (meter "Tessera"). A refused GitHub call is counted here and nowhere
/// else: it proves nothing about any account, so it writes no audit row (a flood of forged reports would
/// otherwise become rows).
/// </summary>
public sealed class LeakMetrics
{
    private readonly Counter<long> _calls;
    private readonly Counter<long> _reported;

    public LeakMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(VerificationMetrics.MeterName);
        _calls = meter.CreateCounter<long>("tessera.leaks.calls", "{call}",
            "Leak report calls by door (github, api) and result (accepted, signature_missing, signature_invalid, key_unknown, too_large, malformed, rate_limited, keys_unavailable).");
        _reported = meter.CreateCounter<long>("tessera.leaks.reported", "{string}", "Reported strings by label (true_positive, false_positive).");
    }

    public void Call(string door, string result) =>
        _calls.Add(1, new KeyValuePair<string, object?>("door", door), new KeyValuePair<string, object?>("result", result));

    public void Reported(LeakLabel label) => _reported.Add(1, new KeyValuePair<string, object?>("label", LeakNames.Of(label)));
}
