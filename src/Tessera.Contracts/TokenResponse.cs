namespace Tessera.Contracts;

/// <summary>A query token as every response shows it: all fields, the derived state, never the secret.</summary>
public record TokenResponse
{
    /// <summary>Token id (<c>tok_…</c>).</summary>
    public required string Id { get; init; }

    /// <summary>1–100 characters; need not be unique.</summary>
    public required string Name { get; init; }

    /// <summary>0–1000 characters, for the provider only.</summary>
    public required string Note { get; init; }

    /// <summary>The workload it is bound to; null means unassigned.</summary>
    public string? WorkloadId { get; init; }

    /// <summary><c>active</c> or <c>cancelled</c>.</summary>
    public required string Status { get; init; }

    /// <summary>Derived now: <c>cancelled</c>, <c>expired</c>, <c>unassigned</c> or <c>usable</c> (first match wins).</summary>
    public required string State { get; init; }

    /// <summary>When it was issued.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When it stops working unless renewed.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>When it last passed verification, or null.</summary>
    public DateTimeOffset? LastUsedAt { get; init; }

    /// <summary>How many verifications it passed.</summary>
    public required long UseCount { get; init; }

    /// <summary>The prefix, an ellipsis and the last 4 characters of the secret.</summary>
    public required string Hint { get; init; }

    /// <summary>Optimistic-concurrency counter, also sent as the ETag.</summary>
    public required long Version { get; init; }

    /// <summary>The latest report that the secret was seen in public, or null when there was none.</summary>
    public TokenLeakResponse? Leak { get; init; }
}
