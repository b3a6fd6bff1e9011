using System.Security.Claims;
using Tessera.Core.Accounts;

namespace Tessera.Server.Auth;

public static class CallerExtensions
{
    /// <summary>The authenticated caller of a management endpoint, with the client address the audit trail records.</summary>
    public static Caller Caller(this ClaimsPrincipal user) => new(
        user.FindFirstValue(LicenseKeyAuthentication.AccountClaim) ?? throw new InvalidOperationException("Not authenticated."),
        user.FindFirstValue(LicenseKeyAuthentication.LicenseKeyClaim) ?? throw new InvalidOperationException("Not authenticated."),
        user.FindFirstValue(LicenseKeyAuthentication.ClientIpClaim));

    /// <summary>
    /// The client's address as the connection (or, when configured, the forwarded-headers middleware)
    /// reports it; an IPv4 client of a dual-stack socket is written as IPv4.
    /// </summary>
    public static string? ClientIp(this HttpContext context) =>
        context.Connection.RemoteIpAddress is { } ip ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString() : null;
}
