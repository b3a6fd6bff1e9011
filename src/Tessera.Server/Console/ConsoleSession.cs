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

    /// <summary>The session's public id ("ses_…"): what the audit trail names as the actor, never the cookie.</summary>
    public const string SessionIdClaim = "tessera:console_session";

    public const string SessionIdPrefix = "ses_";

    public static ClaimsPrincipal PrincipalFor(Caller caller, string accountName, string sessionId) => new(new ClaimsIdentity(
    [
        new Claim(LicenseKeyAuthentication.AccountClaim, caller.AccountId),
        new Claim(LicenseKeyAuthentication.LicenseKeyClaim, caller.LicenseKeyId),
        new Claim(SessionIdClaim, sessionId),
        new Claim(ClaimTypes.Name, accountName),
    ], Scheme));

    /// <summary>The signed-in caller, as the audit trail records it: the session and the client's address.</summary>
    public static Caller ConsoleCaller(this HttpContext context) => context.User.Caller() with
    {
        ClientIp = context.ClientIp(),
        ConsoleSessionId = context.User.FindFirstValue(SessionIdClaim),
    };

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
