namespace Tessera.Client;

/// <summary>Filters and order of <see cref="TesseraManagementClient.ListTokensAsync"/>, as <c>GET /v1/tokens</c> takes them.</summary>
public sealed record TokenListFilter
{
    /// <summary>Only tokens bound to this workload.</summary>
    public string? WorkloadId { get; init; }

    /// <summary>Only unassigned tokens (overrides <see cref="WorkloadId"/>).</summary>
    public bool Unassigned { get; init; }

    /// <summary><see cref="TokenStatus.Active"/> or <see cref="TokenStatus.Cancelled"/>.</summary>
    public TokenStatus? Status { get; init; }

    /// <summary>One of the <see cref="TokenState"/> values: usable, expiring, unassigned, expired or cancelled.</summary>
    public TokenState? State { get; init; }

    /// <summary>Name contains this text, case-insensitively; text of one or two characters matches the start of the name.</summary>
    public string? NameContains { get; init; }

    /// <summary>Created at or after this instant.</summary>
    public DateTimeOffset? CreatedFrom { get; init; }

    /// <summary>Created before this instant.</summary>
    public DateTimeOffset? CreatedTo { get; init; }

    /// <summary>Expiring before this instant.</summary>
    public DateTimeOffset? ExpiresBefore { get; init; }

    /// <summary>One of the <see cref="TokenSort"/> values; <see cref="TokenSort.CreatedAt"/> (newest first) by default.</summary>
    public TokenSort? Sort { get; init; }

    /// <summary>Tokens fetched per request, 1–200 (default 100); the enumeration itself goes through all pages.</summary>
    public int PageSize { get; init; } = 100;
}
