namespace Tessera.Contracts;

/// <summary>A license key as listed: never the secret, only its hint.</summary>
public record LicenseKeyResponse
{
    /// <summary>License key id (<c>lic_…</c>).</summary>
    public required string Id { get; init; }

    /// <summary>What the provider called it.</summary>
    public required string Name { get; init; }

    /// <summary>The prefix, an ellipsis and the last 4 characters of the secret.</summary>
    public required string Hint { get; init; }

    /// <summary><c>active</c>, <c>expired</c> or <c>revoked</c>.</summary>
    public required string Status { get; init; }

    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it last authenticated a request (to the minute), or null.</summary>
    public DateTimeOffset? LastUsedAt { get; init; }

    /// <summary>When it was revoked, or null.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>What it may do (API.md §8): <c>["*"]</c> for everything.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = ["*"];

    /// <summary>The only workloads it may see and place tokens in, or null for every workload.</summary>
    public IReadOnlyList<string>? WorkloadIds { get; init; }

    /// <summary>When it stops working, or null for never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}
