using System.Security.Claims;
using Tessera.Core.Accounts;

namespace Tessera.Server.Auth;

public static class CallerExtensions
{
    public const string ScopeClaim = "tessera:scope";
    public const string WorkloadClaim = "tessera:workload";

    /// <summary>A person's console session (issue 22): the member id and email, sealed with the role's scopes.</summary>
    public const string MemberClaim = "tessera:member";
    public const string MemberEmailClaim = "tessera:member_email";

    /// <summary>The authenticated caller of a management endpoint, with the client address the audit trail records.</summary>
    public static Caller Caller(this ClaimsPrincipal user)
    {
        var workloads = user.FindAll(WorkloadClaim).Select(c => c.Value).ToArray();
        return new Caller(
            user.FindFirstValue(LicenseKeyAuthentication.AccountClaim) ?? throw new InvalidOperationException("Not authenticated."),
            user.FindFirstValue(LicenseKeyAuthentication.LicenseKeyClaim) ?? throw new InvalidOperationException("Not authenticated."),
            user.FindFirstValue(LicenseKeyAuthentication.ClientIpClaim))
        {
            // A principal without scope claims holds none: it was not made by the key scheme or a console sign-in.
            Scopes = [.. user.FindAll(ScopeClaim).Select(c => c.Value)],
            // A bound key always names at least one workload (KeyGrantRules), so none means unbound.
            WorkloadIds = workloads.Length == 0 ? null : workloads,
            MemberId = user.FindFirstValue(MemberClaim),
            MemberEmail = user.FindFirstValue(MemberEmailClaim),
        };
    }

    /// <summary>The claims that carry a caller's key: account, key, scopes and workloads (the console seals them in its cookie).</summary>
    public static IEnumerable<Claim> KeyClaims(Caller caller) =>
    [
        new Claim(LicenseKeyAuthentication.AccountClaim, caller.AccountId),
        new Claim(LicenseKeyAuthentication.LicenseKeyClaim, caller.LicenseKeyId),
        .. caller.Scopes.Select(s => new Claim(ScopeClaim, s)),
        .. (caller.WorkloadIds ?? []).Select(id => new Claim(WorkloadClaim, id)),
        .. caller.MemberId is { } member ? [new Claim(MemberClaim, member), new Claim(MemberEmailClaim, caller.MemberEmail ?? "")] : Array.Empty<Claim>(),
    ];

    /// <summary>
    /// The client's address as the connection (or, when configured, the forwarded-headers middleware)
    /// reports it; an IPv4 client of a dual-stack socket is written as IPv4.
    /// </summary>
    public static string? ClientIp(this HttpContext context) =>
        context.Connection.RemoteIpAddress is { } ip ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString() : null;
}
