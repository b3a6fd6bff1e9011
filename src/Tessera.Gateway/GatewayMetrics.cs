using System.Diagnostics.Metrics;
using Tessera.Core.Verification;

namespace Tessera.Gateway;

/// <summary>
/// The gateway's counters, on the meter <c>Tessera.Gateway</c> (export them with OpenTelemetry or read them with
/// <c>dotnet-counters</c>): decisions by result code, feed activity, reported uses, and the replica's size and age.
/// </summary>
internal sealed class GatewayMetrics
{
    public const string MeterName = "Tessera.Gateway";

    private readonly Counter<long> _decisions;
    private readonly Counter<long> _changes;
    private readonly Counter<long> _snapshots;
    private readonly Counter<long> _feedErrors;
    private readonly Counter<long> _usesReported;
    private readonly KeyValuePair<string, object?>[] _byOutcome;
    private readonly KeyValuePair<string, object?> _unavailable = new("code", Tessera.Core.ErrorCodes.ServiceUnavailable);

    public GatewayMetrics(IMeterFactory meterFactory, TesseraReplica replica)
    {
        var meter = meterFactory.Create(MeterName);
        _decisions = meter.CreateCounter<long>("tessera.gateway.decisions", "{request}", "Requests decided by the gateway, by result code.");
        _changes = meter.CreateCounter<long>("tessera.gateway.feed.changes", "{change}", "Token changes applied from the gateway feed.");
        _snapshots = meter.CreateCounter<long>("tessera.gateway.feed.snapshots", "{snapshot}", "Snapshots loaded (the first, and every resynchronisation).");
        _feedErrors = meter.CreateCounter<long>("tessera.gateway.feed.errors", "{error}", "Feed calls that failed (Tessera unreachable, refused, timed out).");
        _usesReported = meter.CreateCounter<long>("tessera.gateway.uses_reported", "{use}", "Uses reported to Tessera.");
        meter.CreateObservableGauge("tessera.gateway.replica.tokens", () => replica.Count, "{token}", "Tokens in the replica.");
        meter.CreateObservableGauge("tessera.gateway.replica.age", () => replica.Age?.TotalSeconds ?? double.NaN, "s",
            "How long ago the replica last showed it had every change.");
        meter.CreateObservableGauge("tessera.gateway.replica.trusted", () => replica.IsTrusted ? 1 : 0, "{bool}",
            "1 while the replica is within its trust window (tokens are decided), 0 while every request gets 503.");
        _byOutcome = [.. Enum.GetValues<VerificationOutcome>().Select(o => new KeyValuePair<string, object?>("code", Verification.CodeOf(o)))];
    }

    public void Decided(VerificationOutcome outcome) => _decisions.Add(1, _byOutcome[(int)outcome]);

    public void Unavailable() => _decisions.Add(1, _unavailable);

    public void ChangesApplied(int count) => _changes.Add(count);

    public void SnapshotLoaded() => _snapshots.Add(1);

    public void FeedError() => _feedErrors.Add(1);

    public void UsesReported(long uses) => _usesReported.Add(uses);
}
