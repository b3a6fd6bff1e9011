using Tessera.Core.Tokens;

namespace Tessera.Core.Storage;

/// <summary>
/// Filters, order and page of a token list. <see cref="Now"/> is the instant the derived state is
/// evaluated at. Created bounds are inclusive from, exclusive to; expiresBefore is exclusive.
/// </summary>
public sealed record TokenQuery
{
    public string? WorkloadId { get; init; }

    public bool UnassignedOnly { get; init; }

    /// <summary>Only tokens assigned to one of these workloads (a workload-bound license key's view); null for no such bound.</summary>
    public IReadOnlyList<string>? WorkloadIn { get; init; }

    public TokenStatus? Status { get; init; }

    public TokenState? State { get; init; }

    /// <summary>Case-insensitive substring of the name (3+ characters) or prefix (1–2 characters; ADR 0012).</summary>
    public string? NameContains { get; init; }

    public DateTimeOffset? CreatedFrom { get; init; }

    public DateTimeOffset? CreatedTo { get; init; }

    public DateTimeOffset? ExpiresBefore { get; init; }

    public TokenSort Sort { get; init; } = TokenSort.CreatedAt;

    /// <summary>Rows per page; set by the use case from its <see cref="PageRequest"/>.</summary>
    public int Limit { get; init; } = PageRequest.DefaultLimit;

    public ListCursor? After { get; init; }

    public DateTimeOffset Now { get; init; }
}
