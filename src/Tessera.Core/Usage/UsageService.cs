using Tessera.Core.Accounts;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Core.Validation;
using Tessera.Core.Workloads;

namespace Tessera.Core.Usage;

/// <summary>
/// Usage over time (API.md §10): sums of the hourly buckets the usage flush writes, for one token, one workload or
/// the account, by hour or by UTC day, with every empty bucket of the window present as zero. A workload-bound key
/// sees only its workloads' uses, and a token or workload it cannot see is 404 as another account's.
/// </summary>
public sealed class UsageService(IUsageStore store, TokenService tokens, WorkloadService workloads, TimeProvider time, UsageOptions options)
{
    /// <summary>The most buckets one read answers: 41 days by hour, almost three years by day.</summary>
    public const int MaxBuckets = 1_000;

    /// <summary>Buckets shown when no <c>from</c> is given: the last 24 hours, or the last 30 days.</summary>
    public static int DefaultBuckets(UsageGranularity granularity) => granularity == UsageGranularity.Day ? 30 : 24;

    /// <summary>
    /// The buckets of [<paramref name="from"/>, <paramref name="to"/>), widened to whole buckets; without
    /// <paramref name="to"/>, up to and including the bucket of now; without <paramref name="from"/>,
    /// <see cref="DefaultBuckets"/> buckets before <c>to</c>.
    /// </summary>
    public async Task<IReadOnlyList<UsageBucket>> ReadAsync(Caller caller, string? tokenId, string? workloadId, DateTimeOffset? from,
        DateTimeOffset? to, UsageGranularity granularity, CancellationToken cancellationToken)
    {
        var size = granularity == UsageGranularity.Day ? UsageQuery.DayMs : UsageQuery.HourMs;
        var end = Ceiling((to ?? Instants.Now(time) + TimeSpan.FromMilliseconds(1)).ToUnixTimeMilliseconds(), size);
        var start = from is { } f ? Floor(f.ToUnixTimeMilliseconds(), size) : end - DefaultBuckets(granularity) * size;
        var errors = new ValidationErrors();
        if (tokenId is not null && workloadId is not null)
        {
            errors.Add("tokenId", "Give tokenId or workloadId, not both.");
        }
        if (start >= end)
        {
            errors.Add("from", "Must be before 'to'.");
        }
        else if ((end - start) / size > MaxBuckets)
        {
            errors.Add("from", $"At most {MaxBuckets} buckets per read; narrow the range or read by day.");
        }
        errors.ThrowIfAny(ErrorCodes.InvalidQuery, ProblemKind.BadRequest);
        if (tokenId is not null)
        {
            await tokens.GetAsync(caller, tokenId, cancellationToken);
        }
        if (workloadId is not null)
        {
            await workloads.GetAsync(caller, workloadId, cancellationToken);
        }
        var query = new UsageQuery(tokenId, workloadId, DateTimeOffset.FromUnixTimeMilliseconds(start), DateTimeOffset.FromUnixTimeMilliseconds(end),
            granularity) { WorkloadIn = tokenId is null && workloadId is null ? caller.WorkloadIds : null };
        var found = await store.ReadAsync(caller.AccountId, query, cancellationToken);
        return ZeroFilled(found, start, end, size);
    }

    /// <summary>The busiest tokens or workloads of the last <paramref name="window"/>, busiest first (the console's home page).</summary>
    public Task<IReadOnlyList<UsageLeader>> LeadersAsync(Caller caller, bool byWorkload, TimeSpan window, int limit, CancellationToken cancellationToken) =>
        store.LeadersAsync(caller.AccountId, byWorkload, Instants.Now(time) - window, limit, caller.WorkloadIds, cancellationToken);

    /// <summary>Deletes every bucket older than the retention, in batches of at most <see cref="UsageOptions.PruneBatchSize"/>.</summary>
    public Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var before = Instants.Now(time) - options.Retention;
        return Pruning.InBatchesAsync((limit, ct) => store.PruneAsync(before, limit, ct), options.PruneBatchSize, cancellationToken);
    }

    private static List<UsageBucket> ZeroFilled(IReadOnlyList<UsageBucket> found, long start, long end, long size)
    {
        var buckets = new List<UsageBucket>((int)((end - start) / size));
        var next = 0;
        for (var at = start; at < end; at += size)
        {
            var uses = 0L;
            while (next < found.Count && found[next].Start.ToUnixTimeMilliseconds() <= at)
            {
                if (found[next].Start.ToUnixTimeMilliseconds() == at)
                {
                    uses += found[next].Uses;
                }
                next++;
            }
            buckets.Add(new UsageBucket(DateTimeOffset.FromUnixTimeMilliseconds(at), uses));
        }
        return buckets;
    }

    private static long Floor(long ms, long size) => ms - Mod(ms, size);

    private static long Ceiling(long ms, long size) => Mod(ms, size) == 0 ? ms : Floor(ms, size) + size;

    private static long Mod(long ms, long size) => ((ms % size) + size) % size;
}
