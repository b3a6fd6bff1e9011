using System.Text.Json.Nodes;
using Tessera.Core.Accounts;
using Tessera.Core.Audit;
using Tessera.Core.Storage;
using Tessera.Core.Validation;

namespace Tessera.Core.Members;

/// <summary>
/// Signing people in to the console (issue 22): email and password checked against the stored hash, passwords changed
/// by their owner. The failure limits are the door's (per address and per member); this class only answers.
/// </summary>
public sealed class MemberSignInService(IMemberStore store, IAuditStore audit, IPasswordHashing hasher, TimeProvider time)
{
    /// <summary>Checked when no member has the address, so an unknown address takes as long as a wrong password.</summary>
    private readonly Lazy<string> _decoyHash = new(() => hasher.Hash(Decoy, "a password nobody has"));

    /// <summary>The member whose email and password these are, or null; the answer never says which of the two was wrong.</summary>
    public async Task<Member?> CheckPasswordAsync(string? email, string? password, CancellationToken cancellationToken)
    {
        var address = MemberRules.Email(email, "email", new ValidationErrors());
        var member = address is null ? null : await store.FindMemberByEmailAsync(address, cancellationToken);
        if (member?.PasswordHash is not { } hash || string.IsNullOrEmpty(password))
        {
            if (!string.IsNullOrEmpty(password))
            {
                hasher.Verify(Decoy, _decoyHash.Value, password, out _);
            }
            return null;
        }
        if (!hasher.Verify(member, hash, password, out var rehash))
        {
            return null;
        }
        if (rehash)
        {
            await store.SetPasswordAsync(member.Id, hasher.Hash(member, password), member.UpdatedAt, cancellationToken);
        }
        return member;
    }

    /// <summary>The member <paramref name="memberId"/> (a sign-in's second step), or null.</summary>
    public Task<Member?> GetAsync(string memberId, CancellationToken cancellationToken) => store.GetMemberAsync(memberId, cancellationToken);

    /// <summary>The member an address names (to count failures per member and to name them in the trail), or null.</summary>
    public async Task<Member?> FindAsync(string? email, CancellationToken cancellationToken) =>
        MemberRules.Email(email, "email", new ValidationErrors()) is { } address ? await store.FindMemberByEmailAsync(address, cancellationToken) : null;

    /// <summary>The caller a signed-in member is: the role's scopes and the member's workloads, named as the person.</summary>
    public static Caller CallerOf(Member member, string? clientIp, string? sessionId = null) =>
        new(member.AccountId, member.Id, clientIp, sessionId)
        {
            Scopes = member.Scopes,
            WorkloadIds = member.WorkloadIds,
            MemberId = member.Id,
            MemberEmail = member.Email,
        };

    /// <summary>
    /// True while the member a console session was sealed for still exists with the same role and workloads: a removal or
    /// a role change ends their sessions at the next request, as a revoked key ends a key's (ADR 0018).
    /// </summary>
    public async Task<bool> IsCurrentAsync(Caller caller, CancellationToken cancellationToken) =>
        caller.MemberId is { } id && await store.GetMemberAsync(id, cancellationToken) is { } member && member.AccountId == caller.AccountId &&
        member.Scopes.SequenceEqual(caller.Scopes, StringComparer.Ordinal) &&
        (member.WorkloadIds ?? []).SequenceEqual(caller.WorkloadIds ?? [], StringComparer.Ordinal);

    /// <summary>Records a member's sign-in (succeeded: in a new session) and when they last signed in.</summary>
    public async Task RecordSignInAsync(Member member, bool succeeded, string? sessionId, string? clientIp, string? reason, CancellationToken cancellationToken)
    {
        var now = Instants.Now(time);
        var entry = AuditEntry.By(CallerOf(member, clientIp, sessionId), now, succeeded ? AuditActions.ConsoleSignedIn : AuditActions.ConsoleSignInFailed,
            member.Id, null, reason is null ? null : new JsonObject { ["reason"] = reason });
        await audit.AppendAsync(entry, cancellationToken);
        if (succeeded)
        {
            await store.TouchSignInAsync(member.Id, now, cancellationToken);
        }
    }

    /// <summary>
    /// True when the account has an owner who can sign in as a person: license keys then stop opening the console (ADR 0018).
    /// With single sign-on configured (<paramref name="ssoCounts"/>), an owner who has signed in through it counts too (ADR 0022).
    /// </summary>
    public async Task<bool> HasOwnerWithPasswordAsync(string accountId, CancellationToken cancellationToken, bool ssoCounts = false) =>
        (await store.ListMembersAsync(accountId, cancellationToken)).Any(m => m.IsOwner && (m.PasswordHash is not null || (ssoCounts && m.SsoSubject is not null)));

    /// <summary>Changes the signed-in member's own password; the current one must be given (a session left open is not enough).</summary>
    public async Task ChangePasswordAsync(Caller caller, string? current, string? next, CancellationToken cancellationToken)
    {
        var member = caller.MemberId is { } id ? await store.GetMemberAsync(id, cancellationToken) : null;
        if (member is null)
        {
            throw new TesseraException(ProblemKind.Forbidden, ErrorCodes.InsufficientScope, "Only a member signed in as a person has a password to change.");
        }
        var errors = new ValidationErrors();
        var valid = MemberRules.Password(next, "newPassword", errors);
        if (member.PasswordHash is { } hash && (string.IsNullOrEmpty(current) || !hasher.Verify(member, hash, current, out _)))
        {
            errors.Add("currentPassword", "This is not your current password.");
        }
        errors.ThrowIfAny();
        var now = Instants.Now(time);
        await store.SetPasswordAsync(member.Id, hasher.Hash(member, valid!), now, cancellationToken,
            [AuditEntry.By(caller, now, AuditActions.MemberPasswordChanged, member.Id, null, null)]);
    }

    private static readonly Member Decoy = new("mem_decoy", "", "", "", Roles.Viewer, null, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null);
}
