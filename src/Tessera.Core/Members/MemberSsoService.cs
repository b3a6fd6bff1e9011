using System.Text.Json.Nodes;
using Tessera.Core.Accounts;
using Tessera.Core.Audit;
using Tessera.Core.Storage;
using Tessera.Core.Validation;

namespace Tessera.Core.Members;

/// <summary>What an OpenID provider said about the person who signed in there (the id token's claims).</summary>
public sealed record SsoIdentity(string? Subject, string? Email, bool EmailVerified, string? Name);

/// <summary>The server's single sign-on rule: whose addresses it accepts, and where and as what a new person lands.</summary>
public sealed record SsoPolicy(string EmailDomain, string AccountId, string Role);

/// <summary>
/// Single sign-on (issue 22, ADR 0022): a person the OpenID provider vouches for becomes, or is matched to, a member of
/// the configured account. Only a verified address of the allowed domain is accepted; an existing member is matched by
/// that address and bound to the provider's subject at the first sign-in; an address whose member was removed is not
/// brought back. Each refusal has a stable reason, which the console shows and the audit trail records.
/// </summary>
public sealed class MemberSsoService(IMemberStore store, IAccountStore accounts, TimeProvider time)
{
    public const string NoEmail = "sso_email_missing";
    public const string EmailUnverified = "sso_email_unverified";
    public const string DomainNotAllowed = "sso_domain_not_allowed";
    public const string OtherAccount = "sso_other_account";
    public const string SubjectMismatch = "sso_subject_mismatch";
    public const string MemberRemoved = "sso_member_removed";
    public const string AccountMissing = "sso_account_missing";

    /// <summary>The member signed in, or the reason the sign-in is refused (and the member it names, when there is one).</summary>
    public async Task<(Member? Member, string? Refusal)> SignInAsync(SsoIdentity identity, SsoPolicy policy, string? clientIp,
        CancellationToken cancellationToken)
    {
        var email = identity.Email is null ? null : MemberRules.Email(identity.Email, "email", new ValidationErrors());
        if (email is null || string.IsNullOrEmpty(identity.Subject))
        {
            return (null, NoEmail);
        }
        if (!identity.EmailVerified)
        {
            return (null, EmailUnverified);
        }
        if (!InDomain(email, policy.EmailDomain))
        {
            return (null, DomainNotAllowed);
        }
        if (await store.FindMemberByEmailAsync(email, cancellationToken) is { } existing)
        {
            if (existing.AccountId != policy.AccountId)
            {
                // The provider vouches for people of the configured account only; a member elsewhere signs in with a password.
                return (null, OtherAccount);
            }
            return await store.BindSsoSubjectAsync(existing.Id, identity.Subject, cancellationToken)
                ? (existing with { SsoSubject = identity.Subject }, null)
                : (existing, SubjectMismatch);
        }
        if (await accounts.GetAccountAsync(policy.AccountId, cancellationToken) is null)
        {
            return (null, AccountMissing); // Tessera:Console:Oidc:AccountId names no account of this server
        }
        var now = Instants.Now(time);
        var displayName = TextRules.Name(identity.Name, "displayName", new ValidationErrors()) ?? email;
        var member = new Member(Ids.New(Ids.Member, now), policy.AccountId, email, displayName, policy.Role, null, null, now, now, null)
        {
            SsoSubject = identity.Subject,
        };
        var after = new JsonObject { ["email"] = email, ["displayName"] = displayName, ["role"] = policy.Role, ["via"] = "sso" };
        var entry = AuditEntry.By(new Caller(member.AccountId, member.Id, clientIp) { MemberId = member.Id, MemberEmail = email },
            now, AuditActions.MemberJoined, member.Id, null, after);
        return await store.InsertSsoMemberAsync(member, cancellationToken, [entry]) switch
        {
            SaveResult.Saved => (member, null),
            SaveResult.NotFound => (null, MemberRemoved),
            // Joined meanwhile (two first sign-ins at once): match it as an existing member.
            _ => await SignInAsync(identity, policy, clientIp, cancellationToken),
        };
    }

    /// <summary>True when <paramref name="email"/> (lower-cased) is at <paramref name="domain"/> itself, not a subdomain or a look-alike.</summary>
    public static bool InDomain(string email, string domain) =>
        email.EndsWith("@" + domain.Trim().TrimStart('@').ToLowerInvariant(), StringComparison.Ordinal);
}
