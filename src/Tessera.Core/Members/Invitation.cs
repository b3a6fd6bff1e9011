using Tessera.Core.Secrets;

namespace Tessera.Core.Members;

/// <summary>
/// An invitation to join an account as <see cref="Email"/> with <see cref="Role"/>. Its secret (tsi_…) is shown once, in
/// the link; only its SHA-256 is kept. Usable once, until <see cref="ExpiresAt"/>.
/// </summary>
public sealed record Invitation(
    string Id,
    string AccountId,
    string Email,
    string DisplayName,
    string Role,
    IReadOnlyList<string>? WorkloadIds,
    SecretHash Hash,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? AcceptedAt,
    string? MemberId)
{
    /// <summary>How long a link works (issue 22: seven days).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    public bool IsUsableAt(DateTimeOffset now) => AcceptedAt is null && now < ExpiresAt;

    /// <summary><c>pending</c>, <c>accepted</c> or <c>expired</c>.</summary>
    public string StatusAt(DateTimeOffset now) => AcceptedAt is not null ? "accepted" : now >= ExpiresAt ? "expired" : "pending";
}
