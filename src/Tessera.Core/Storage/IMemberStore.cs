using Tessera.Core.Audit;
using Tessera.Core.Members;
using Tessera.Core.Secrets;

namespace Tessera.Core.Storage;

/// <summary>Members and invitations (issue 22). Writes append their audit entries in their own transaction, only when they save.</summary>
public interface IMemberStore
{
    Task<IReadOnlyList<Member>> ListMembersAsync(string accountId, CancellationToken cancellationToken);

    /// <summary>The member with this (lower-cased) email, in whichever account.</summary>
    Task<Member?> FindMemberByEmailAsync(string email, CancellationToken cancellationToken);

    Task<Member?> GetMemberAsync(string memberId, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the member's role, workloads and display name unless that leaves an account that has an owner without one
    /// (<see cref="SaveResult.LastOwner"/>); checked under the account's lock so two concurrent demotions cannot both pass.
    /// </summary>
    Task<SaveResult> UpdateMemberAsync(Member member, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null);

    /// <summary>Deletes the member unless it is the account's last owner; as <see cref="UpdateMemberAsync"/>.</summary>
    Task<SaveResult> DeleteMemberAsync(string accountId, string memberId, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null);

    Task SetPasswordAsync(string memberId, string passwordHash, DateTimeOffset at, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null);

    /// <summary>Turns two-step sign-in on (a sealed secret and recovery code hashes) or off (null and none).</summary>
    Task SetTotpAsync(string memberId, string? sealedSecret, IReadOnlyList<string> recoveryCodeHashes, DateTimeOffset at, CancellationToken cancellationToken,
        IReadOnlyList<AuditEntry>? audit = null);

    /// <summary>Accepts TOTP time step <paramref name="step"/> once: false when it (or a later one) was accepted already, on any server.</summary>
    Task<bool> UseTotpStepAsync(string memberId, long step, CancellationToken cancellationToken);

    /// <summary>Spends one recovery code: false when it is not (or no longer) among the member's.</summary>
    Task<bool> UseRecoveryCodeAsync(string memberId, string codeHash, CancellationToken cancellationToken);

    Task TouchSignInAsync(string memberId, DateTimeOffset at, CancellationToken cancellationToken);

    Task InsertInvitationAsync(Invitation invitation, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null);

    Task<IReadOnlyList<Invitation>> ListInvitationsAsync(string accountId, CancellationToken cancellationToken);

    Task<Invitation?> FindInvitationAsync(SecretHash hash, CancellationToken cancellationToken);

    /// <summary>Deletes a pending invitation (its link stops working); NotFound when none is pending under this id.</summary>
    Task<SaveResult> DeleteInvitationAsync(string accountId, string invitationId, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null);

    /// <summary>
    /// Spends the invitation and creates <paramref name="member"/>, atomically: <see cref="SaveResult.InvitationSpent"/> when
    /// it was used (or deleted) meanwhile or has expired at <paramref name="at"/>, <see cref="SaveResult.EmailTaken"/> when the email is a member already.
    /// </summary>
    Task<SaveResult> AcceptInvitationAsync(string invitationId, Member member, DateTimeOffset at, CancellationToken cancellationToken,
        IReadOnlyList<AuditEntry>? audit = null);

    /// <summary>Binds the member to the OpenID provider's subject at their first single sign-on (ADR 0022); false when another subject is bound already.</summary>
    Task<bool> BindSsoSubjectAsync(string memberId, string subject, CancellationToken cancellationToken);

    /// <summary>
    /// Creates a member who signed in by single sign-on for the first time (no invitation, no password):
    /// <see cref="SaveResult.EmailTaken"/> when the email became a member meanwhile, <see cref="SaveResult.NotFound"/> when the
    /// address's member was removed from the account (SSO does not bring them back; a new invitation does).
    /// </summary>
    Task<SaveResult> InsertSsoMemberAsync(Member member, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null);

    /// <summary>Replaces the member's recovery codes (the old ones stop working); the TOTP secret and its last step stay.</summary>
    Task SetRecoveryCodesAsync(string memberId, IReadOnlyList<string> recoveryCodeHashes, DateTimeOffset at, CancellationToken cancellationToken,
        IReadOnlyList<AuditEntry>? audit = null);
}
