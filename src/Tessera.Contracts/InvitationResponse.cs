namespace Tessera.Contracts;

/// <summary>An invitation as listed: never its secret.</summary>
public record InvitationResponse
{
    /// <summary>Invitation id (<c>inv_…</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The invitee's address, lower-cased.</summary>
    public required string Email { get; init; }

    /// <summary>The name the member starts with (the invitee may give another).</summary>
    public required string DisplayName { get; init; }

    /// <summary>The role the invitee gets.</summary>
    public required string Role { get; init; }

    /// <summary>The workloads the invitee is bound to, or null for every workload.</summary>
    public IReadOnlyList<string>? WorkloadIds { get; init; }

    /// <summary><c>pending</c>, <c>accepted</c> or <c>expired</c>.</summary>
    public required string Status { get; init; }

    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Seven days after creation: the link stops working then.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>When it was used, or null.</summary>
    public DateTimeOffset? AcceptedAt { get; init; }

    /// <summary>The member the invitation made, once accepted.</summary>
    public string? MemberId { get; init; }
}
