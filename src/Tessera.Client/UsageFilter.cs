namespace Tessera.Client;

/// <summary>What <see cref="TesseraManagementClient.GetUsageAsync"/> sums, as <c>GET /v1/usage</c> takes it.</summary>
public sealed record UsageFilter
{
    /// <summary>Only this token's uses (not with <see cref="WorkloadId"/>).</summary>
    public string? TokenId { get; init; }

    /// <summary>Only the uses of tokens while they were in this workload.</summary>
    public string? WorkloadId { get; init; }

    /// <summary>From this instant (widened to its bucket's start); default 24 hours or 30 days before <see cref="To"/>.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Before this instant (widened to a bucket's end); default the end of the current bucket.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary><c>hour</c> (default) or <c>day</c> (UTC days).</summary>
    public string? Granularity { get; init; }
}
