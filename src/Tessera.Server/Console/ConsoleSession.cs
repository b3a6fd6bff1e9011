using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Tessera.Core.Accounts;
using Tessera.Server.Auth;

namespace Tessera.Server.WebConsole;

/// <summary>
/// The console's cookie session. The cookie carries the account and license key ids (sealed by Data
/// Protection), never the key itself; every request checks that the key is still active, so revoking
/// it ends its console sessions at once.
/// </summary>
public static class ConsoleSession
{
    public const string Scheme = "Console";
    public const string Policy = "Console";
    public const string CookieName = "tessera_console";

    public static ClaimsPrincipal PrincipalFor(Caller caller, string accountName) => new(new ClaimsIdentity(
    [
        new Claim(LicenseKeyAuthentication.AccountClaim, caller.AccountId),
        new Claim(LicenseKeyAuthentication.LicenseKeyClaim, caller.LicenseKeyId),
        new Claim(ClaimTypes.Name, accountName),
    ], Scheme));

    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var accounts = context.HttpContext.RequestServices.GetRequiredService<AccountService>();
        var principal = context.Principal;
        var caller = principal?.FindFirst(LicenseKeyAuthentication.AccountClaim) is null ? null : principal.Caller();
        var active = caller is not null &&
            (await accounts.ListLicenseKeysAsync(caller, context.HttpContext.RequestAborted))
                .Any(k => k.Id == caller.LicenseKeyId && !k.IsRevoked);
        if (!active)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
        }
    }
}
