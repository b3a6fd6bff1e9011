using System.Security.Claims;
using Tessera.Core.Accounts;

namespace Tessera.Server.Auth;

public static class CallerExtensions
{
    /// <summary>The authenticated caller of a management endpoint.</summary>
    public static Caller Caller(this ClaimsPrincipal user) => new(
        user.FindFirstValue(LicenseKeyAuthentication.AccountClaim) ?? throw new InvalidOperationException("Not authenticated."),
        user.FindFirstValue(LicenseKeyAuthentication.LicenseKeyClaim) ?? throw new InvalidOperationException("Not authenticated."));
}
