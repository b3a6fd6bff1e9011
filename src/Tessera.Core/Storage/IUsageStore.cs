using Tessera.Core.Usage;

namespace Tessera.Core.Storage;

/// <summary>
/// Reads and prunes the hourly usage buckets. They are written only by <see cref="ITokenStore.RecordUsageAsync"/>
/// (the usage flush), in the same transaction as the tokens' counters.
/// </summary>
public interface IUsageStore
{
    /// <summary>The non-empty buckets of <paramref name="query"/>, oldest first (the caller fills the gaps with zeros).</summary>
    Task<IReadOnlyList<UsageBucket>> ReadAsync(string accountId, UsageQuery query, CancellationToken cancellationToken);

    /// <summary>The busiest tokens (<paramref name="byWorkload"/> false) or workloads since <paramref name="from"/>, busiest first.</summary>
    Task<IReadOnlyList<UsageLeader>> LeadersAsync(string accountId, bool byWorkload, DateTimeOffset from, int limit,
        IReadOnlyList<string>? workloadIn, CancellationToken cancellationToken);

    /// <summary>Deletes at most <paramref name="limit"/> buckets of hours before <paramref name="before"/>; returns how many.</summary>
    Task<int> PruneAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken);
}
