using System.Text.Json.Nodes;
using Tessera.Core.Accounts;
using Tessera.Core.Audit;
using Tessera.Core.Secrets;
using Tessera.Core.Storage;
using Tessera.Core.Validation;

namespace Tessera.Core.Members;

/// <summary>
/// Members and invitations (issue 22, ADR 0018). A caller manages only members and invitations whose role and workloads
/// it could grant itself (the rule of keys, <see cref="KeyGrantRules"/>): an admin never sees an owner's invitation
/// and cannot make, change or remove an owner. The last owner of an account stays.
/// </summary>
public sealed class MemberService(IMemberStore store, IWorkloadStore workloads, IPasswordHashing hasher, TimeProvider time)
{
    public async Task<IReadOnlyList<Member>> ListAsync(Caller caller, CancellationToken cancellationToken) =>
        [.. (await store.ListMembersAsync(caller.AccountId, cancellationToken)).Where(m => KeyGrantRules.Covers(caller, m.Scopes, m.WorkloadIds))];

    /// <summary>The caller's account's member <paramref name="memberId"/>; one of another account, or wider than the caller, is 404.</summary>
    public async Task<Member> GetAsync(Caller caller, string memberId, CancellationToken cancellationToken) =>
        Ids.IsWellFormed(Ids.Member, memberId) && await store.GetMemberAsync(memberId, cancellationToken) is { } member &&
        member.AccountId == caller.AccountId && KeyGrantRules.Covers(caller, member.Scopes, member.WorkloadIds)
            ? member
            : throw TesseraException.NotFound(ErrorCodes.MemberNotFound, "member");

    /// <summary>The signed-in member themselves, whatever their role lets them see of others; null for a caller that is no member.</summary>
    public async Task<Member?> GetSelfAsync(Caller caller, CancellationToken cancellationToken) =>
        caller.MemberId is { } id && await store.GetMemberAsync(id, cancellationToken) is { } member && member.AccountId == caller.AccountId ? member : null;

    public async Task<Member> UpdateAsync(Caller caller, string memberId, MemberPatch patch, CancellationToken cancellationToken)
    {
        var member = await GetAsync(caller, memberId, cancellationToken);
        var errors = new ValidationErrors();
        var role = patch.Role.IsSet ? MemberRules.Role(patch.Role.Value, "role", errors) : member.Role;
        var displayName = patch.DisplayName.IsSet ? TextRules.Name(patch.DisplayName.Value, "displayName", errors) : member.DisplayName;
        errors.ThrowIfAny();
        var now = Instants.Now(time);
        var grant = patch.WorkloadIds.IsSet && patch.WorkloadIds.Value is null
            ? GrantOf(caller, role!, null, unbind: true, now)
            : GrantOf(caller, role!, patch.WorkloadIds.IsSet ? patch.WorkloadIds.Value : member.WorkloadIds, unbind: false, now);
        await KeyGrantRules.EnsureWorkloadsExistAsync(workloads, caller.AccountId, grant.WorkloadIds, now, cancellationToken);
        var changed = member with { Role = role!, DisplayName = displayName!, WorkloadIds = grant.WorkloadIds, UpdatedAt = now };
        if (changed.Role == member.Role && changed.DisplayName == member.DisplayName && SameWorkloads(changed.WorkloadIds, member.WorkloadIds))
        {
            return member;
        }
        var entry = AuditEntry.By(caller, now, AuditActions.MemberChanged, member.Id, Fields(member), Fields(changed));
        switch (await store.UpdateMemberAsync(changed, cancellationToken, [entry]))
        {
            case SaveResult.NotFound:
                throw TesseraException.NotFound(ErrorCodes.MemberNotFound, "member");
            case SaveResult.LastOwner:
                throw LastOwner();
        }
        return changed;
    }

    public async Task RemoveAsync(Caller caller, string memberId, CancellationToken cancellationToken)
    {
        var member = await GetAsync(caller, memberId, cancellationToken);
        var entry = AuditEntry.By(caller, Instants.Now(time), AuditActions.MemberRemoved, member.Id, Fields(member), null);
        switch (await store.DeleteMemberAsync(caller.AccountId, member.Id, cancellationToken, [entry]))
        {
            case SaveResult.NotFound:
                throw TesseraException.NotFound(ErrorCodes.MemberNotFound, "member");
            case SaveResult.LastOwner:
                throw LastOwner();
        }
    }

    /// <summary>Invites <paramref name="email"/> as <paramref name="role"/>; the secret (for the link) is returned once.</summary>
    public async Task<(Invitation Invitation, string Secret)> InviteAsync(Caller caller, string? email, string? role, string? displayName,
        IReadOnlyList<string>? workloadIds, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var validEmail = MemberRules.Email(email, "email", errors);
        var validRole = MemberRules.Role(role, "role", errors);
        // The invitee may give another name when they accept; until then the address stands in for one.
        var validName = displayName is null ? validEmail : TextRules.Name(displayName, "displayName", errors);
        errors.ThrowIfAny();
        var now = Instants.Now(time);
        var grant = GrantOf(caller, validRole!, workloadIds, unbind: false, now);
        await KeyGrantRules.EnsureWorkloadsExistAsync(workloads, caller.AccountId, grant.WorkloadIds, now, cancellationToken);
        if ((await store.ListMembersAsync(caller.AccountId, cancellationToken)).Any(m => m.Email == validEmail))
        {
            throw new TesseraException(ProblemKind.Conflict, ErrorCodes.MemberExists, "This address is a member of the account already.");
        }
        var secret = SecretFormat.Generate(SecretKind.Invitation);
        var invitation = new Invitation(Ids.New(Ids.Invitation, now), caller.AccountId, validEmail!, validName!, validRole!, grant.WorkloadIds,
            SecretHash.Of(secret), now, now + Invitation.Lifetime, null, null);
        await store.InsertInvitationAsync(invitation, cancellationToken,
            [AuditEntry.By(caller, now, AuditActions.InvitationCreated, invitation.Id, null, Fields(invitation))]);
        return (invitation, secret);
    }

    public async Task<IReadOnlyList<Invitation>> ListInvitationsAsync(Caller caller, CancellationToken cancellationToken) =>
        [.. (await store.ListInvitationsAsync(caller.AccountId, cancellationToken)).Where(i => KeyGrantRules.Covers(caller, Roles.ScopesOf(i.Role), i.WorkloadIds))];

    public async Task RevokeInvitationAsync(Caller caller, string invitationId, CancellationToken cancellationToken)
    {
        var invitation = Ids.IsWellFormed(Ids.Invitation, invitationId)
            ? (await ListInvitationsAsync(caller, cancellationToken)).FirstOrDefault(i => i.Id == invitationId)
            : null;
        if (invitation is null || invitation.AcceptedAt is not null)
        {
            throw TesseraException.NotFound(ErrorCodes.InvitationNotFound, "pending invitation");
        }
        var entry = AuditEntry.By(caller, Instants.Now(time), AuditActions.InvitationRevoked, invitation.Id, Fields(invitation), null);
        if (await store.DeleteInvitationAsync(caller.AccountId, invitation.Id, cancellationToken, [entry]) == SaveResult.NotFound)
        {
            throw TesseraException.NotFound(ErrorCodes.InvitationNotFound, "pending invitation");
        }
    }

    /// <summary>
    /// Checks a presented invitation secret without spending it: the invitation when it can still be used, otherwise
    /// the refusal code. Malformed values never reach the database; used, expired, revoked and unknown look alike.
    /// </summary>
    public async Task<(string? Code, Invitation? Invitation)> FindUsableInvitationAsync(string? presented, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return (ErrorCodes.InvitationMissing, null);
        }
        if (!SecretFormat.TryHash(presented, SecretKind.Invitation, out var hash))
        {
            return (ErrorCodes.InvitationInvalid, null);
        }
        var invitation = await store.FindInvitationAsync(hash, cancellationToken);
        return invitation is not null && invitation.IsUsableAt(Instants.Now(time)) ? (null, invitation) : (ErrorCodes.InvitationInvalid, null);
    }

    /// <summary>
    /// Uses an invitation: the invitee becomes a member with the password they chose (and, if given, their own display
    /// name). The secret works once; a second use, an expired or a revoked one is 401 invitation_invalid.
    /// </summary>
    public async Task<Member> AcceptAsync(string? presented, string? displayName, string? password, string? clientIp, CancellationToken cancellationToken)
    {
        var (code, invitation) = await FindUsableInvitationAsync(presented, cancellationToken);
        if (invitation is null)
        {
            throw InvitationRefused(code!);
        }
        var errors = new ValidationErrors();
        var validPassword = MemberRules.Password(password, "password", errors);
        var validName = displayName is null ? invitation.DisplayName : TextRules.Name(displayName, "displayName", errors);
        errors.ThrowIfAny();
        var now = Instants.Now(time);
        var member = new Member(Ids.New(Ids.Member, now), invitation.AccountId, invitation.Email, validName!, invitation.Role,
            invitation.WorkloadIds, null, now, now, null);
        member = member with { PasswordHash = hasher.Hash(member, validPassword!) };
        var after = Fields(member);
        after["invitationId"] = invitation.Id;
        var entry = AuditEntry.By(new Caller(member.AccountId, member.Id, clientIp) { MemberId = member.Id, MemberEmail = member.Email },
            now, AuditActions.MemberJoined, member.Id, null, after);
        switch (await store.AcceptInvitationAsync(invitation.Id, member, now, cancellationToken, [entry]))
        {
            case SaveResult.InvitationSpent:
                throw InvitationRefused(ErrorCodes.InvitationInvalid);
            case SaveResult.EmailTaken:
                throw new TesseraException(ProblemKind.Conflict, ErrorCodes.MemberExists,
                    "This address is already a member on this server; sign in with it, or ask for an invitation to another address.");
        }
        return member;
    }

    public static TesseraException InvitationRefused(string code) => new(ProblemKind.Unauthorized, code, code == ErrorCodes.InvitationMissing
        ? "Send the invitation as 'Authorization: Bearer tsi_…'."
        : "This invitation link is not valid: it was used, revoked or has expired. Ask for a new one.");

    private static TesseraException LastOwner() => new(ProblemKind.Conflict, ErrorCodes.LastOwner,
        "This is the account's last owner; make another member owner first.");

    /// <summary>
    /// The grant of <paramref name="role"/> on <paramref name="workloadIds"/> that <paramref name="caller"/> may give (the rule of
    /// keys): beyond its own scopes or workloads is 403 insufficient_scope. Left out, the workloads are the caller's own.
    /// </summary>
    private static KeyGrant GrantOf(Caller caller, string role, IReadOnlyList<string>? workloadIds, bool unbind, DateTimeOffset now)
    {
        var grant = KeyGrantRules.Resolve(caller, null, Roles.ScopesOf(role), workloadIds, null, now, out var beyond);
        if (unbind)
        {
            grant = grant with { WorkloadIds = null };
            beyond ??= caller.WorkloadIds is not null ? "workloadIds" : null;
        }
        return beyond is null
            ? grant
            : throw new TesseraException(ProblemKind.Forbidden, ErrorCodes.InsufficientScope,
                beyond == "scopes" ? $"The role '{role}' holds more than the caller does." : "The caller cannot grant workloads beyond its own.");
    }

    private static bool SameWorkloads(IReadOnlyList<string>? a, IReadOnlyList<string>? b) =>
        a is null ? b is null : b is not null && a.SequenceEqual(b, StringComparer.Ordinal);

    private static JsonObject Fields(Member member) => Fields(member.Email, member.DisplayName, member.Role, member.WorkloadIds);

    private static JsonObject Fields(Invitation invitation)
    {
        var fields = Fields(invitation.Email, invitation.DisplayName, invitation.Role, invitation.WorkloadIds);
        fields["expiresAt"] = Instants.Format(invitation.ExpiresAt);
        return fields;
    }

    private static JsonObject Fields(string email, string displayName, string role, IReadOnlyList<string>? workloadIds)
    {
        var fields = new JsonObject { ["email"] = email, ["displayName"] = displayName, ["role"] = role };
        if (workloadIds is not null)
        {
            fields["workloadIds"] = new JsonArray([.. workloadIds.Select(id => JsonValue.Create(id))]);
        }
        return fields;
    }
}
