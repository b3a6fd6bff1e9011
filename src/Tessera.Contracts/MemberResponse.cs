namespace Tessera.Contracts;

/// <summary>A member of the account: a person who signs in to the console (never a password or its hash).</summary>
public record MemberResponse
{
    /// <summary>Member id (<c>mem_…</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The member's address, lower-cased: who they are, fixed.</summary>
    public required string Email { get; init; }

    /// <summary>The name the console shows.</summary>
    public required string DisplayName { get; init; }

    /// <summary><c>owner</c>, <c>admin</c>, <c>developer</c> or <c>viewer</c>.</summary>
    public required string Role { get; init; }

    /// <summary>The scopes the role holds (API.md §8).</summary>
    public required IReadOnlyList<string> Scopes { get; init; }

    /// <summary>The only workloads the member may see, or null for every workload.</summary>
    public IReadOnlyList<string>? WorkloadIds { get; init; }

    /// <summary>True when the member has a password to sign in with.</summary>
    public required bool HasPassword { get; init; }

    /// <summary>When the member joined.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the role, name or workloads last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When the member last signed in to the console, or null.</summary>
    public DateTimeOffset? LastSignInAt { get; init; }
}
