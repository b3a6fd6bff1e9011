namespace Tessera.Core.Usage;

/// <summary>
/// What a usage read sums, as the store sees it: one token, one workload, or the account (both null), restricted to
/// <see cref="WorkloadIn"/> for a workload-bound key; hours in [<see cref="From"/>, <see cref="To"/>).
/// </summary>
public sealed record UsageQuery(string? TokenId, string? WorkloadId, DateTimeOffset From, DateTimeOffset To, UsageGranularity Granularity)
{
    public IReadOnlyList<string>? WorkloadIn { get; init; }

    /// <summary>A bucket's width in milliseconds (UTC days are whole multiples of an hour since the epoch).</summary>
    public long BucketMs => Granularity == UsageGranularity.Day ? UsageQuery.DayMs : UsageQuery.HourMs;

    public const long HourMs = 3_600_000;
    public const long DayMs = 86_400_000;
}
