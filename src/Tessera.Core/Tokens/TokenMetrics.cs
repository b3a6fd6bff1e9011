using System.Diagnostics.Metrics;
using Tessera.Core.Audit;
using Tessera.Core.Verification;

namespace Tessera.Core.Tokens;

/// <summary>
/// Tokens issued, cancelled, renewed and deleted (meter "Tessera", at /metrics and over OTLP), counted from the audit
/// entries of changes the store committed, so a refused or lost change is never counted. All start at zero.
/// </summary>
public sealed class TokenMetrics
{
    private readonly Counter<long> _issued;
    private readonly Counter<long> _cancelled;
    private readonly Counter<long> _renewed;
    private readonly Counter<long> _deleted;

    public TokenMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(VerificationMetrics.MeterName);
        _issued = meter.CreateCounter<long>("tessera.tokens.issued", "{token}", "Query tokens issued.");
        _cancelled = meter.CreateCounter<long>("tessera.tokens.cancelled", "{token}", "Query tokens cancelled.");
        _renewed = meter.CreateCounter<long>("tessera.tokens.renewed", "{token}", "Query tokens renewed.");
        _deleted = meter.CreateCounter<long>("tessera.tokens.deleted", "{token}", "Query tokens deleted.");
        foreach (var counter in (Counter<long>[])[_issued, _cancelled, _renewed, _deleted])
        {
            counter.Add(0);
        }
    }

    /// <summary>Counts what a committed change did, by its audit entries.</summary>
    public void Committed(IReadOnlyList<AuditEntry> entries)
    {
        foreach (var entry in entries)
        {
            var counter = entry.Action switch
            {
                AuditActions.TokenCreated => _issued,
                AuditActions.TokenCancelled => _cancelled,
                AuditActions.TokenRenewed => _renewed,
                AuditActions.TokenDeleted => _deleted,
                _ => null,
            };
            counter?.Add(1);
        }
    }
}
