namespace Tessera.Core.Members;

/// <summary>
/// A person of one account who signs in to the console (issue 22). The email is lower-cased and fixed: it is who the
/// person is; the role and workloads say what they may do, and change only through <see cref="MemberService"/>.
/// </summary>
public sealed record Member(
    string Id,
    string AccountId,
    string Email,
    string DisplayName,
    string Role,
    IReadOnlyList<string>? WorkloadIds,
    string? PasswordHash,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? LastSignInAt)
{
    public IReadOnlyList<string> Scopes => Roles.ScopesOf(Role);

    /// <summary>The TOTP secret as the server sealed it, or null when two-step sign-in is off.</summary>
    public string? TotpSecret { get; init; }

    /// <summary>The last TOTP time step accepted: a code works once.</summary>
    public long TotpLastStep { get; init; }

    /// <summary>SHA-256 (hex) of each unused recovery code.</summary>
    public IReadOnlyList<string> RecoveryCodeHashes { get; init; } = [];

    /// <summary>The OpenID provider's subject ("sub") bound at the member's first single sign-on, or null (ADR 0022).</summary>
    public string? SsoSubject { get; init; }

    public bool IsOwner => Role == Roles.Owner;
}
