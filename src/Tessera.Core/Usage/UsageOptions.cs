namespace Tessera.Core.Usage;

/// <summary>How long hourly usage buckets are kept and how they are pruned (configuration section Tessera:Usage).</summary>
public sealed class UsageOptions
{
    /// <summary>Buckets older than this are pruned (Tessera:Usage:Retention, default 90 days).</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How often each server prunes (with jitter, so replicas do not prune in lockstep).</summary>
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The most buckets one prune statement deletes, so a backlog never holds the write lock for long.</summary>
    public int PruneBatchSize { get; set; } = 5_000;
}
