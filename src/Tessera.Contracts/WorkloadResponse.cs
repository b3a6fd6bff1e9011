namespace Tessera.Contracts;

/// <summary>A workload (a deployed model) with the counts of its tokens.</summary>
public sealed record WorkloadResponse
{
    /// <summary>Workload id (<c>wl_…</c>).</summary>
    public required string Id { get; init; }

    /// <summary>Unique within the account, case-insensitively.</summary>
    public required string Name { get; init; }

    /// <summary>Free text, possibly empty.</summary>
    public required string Description { get; init; }

    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Tokens bound to it, in any state.</summary>
    public required long TokenCount { get; init; }

    /// <summary>Tokens bound to it that are usable now.</summary>
    public required long UsableTokenCount { get; init; }

    /// <summary>Optimistic-concurrency counter, also sent as the ETag.</summary>
    public required long Version { get; init; }
}
