namespace Tessera.Core.Audit;

/// <summary>How long the audit trail is kept and how it is pruned (configuration section Tessera:Audit).</summary>
public sealed class AuditOptions
{
    /// <summary>Entries older than this are pruned (Tessera:Audit:Retention, default 365 days).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(365);

    /// <summary>How often each server prunes (with jitter, so replicas do not prune in lockstep).</summary>
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The most entries one prune statement deletes, so a backlog never holds the write lock for long.</summary>
    public int PruneBatchSize { get; set; } = 1_000;
}
