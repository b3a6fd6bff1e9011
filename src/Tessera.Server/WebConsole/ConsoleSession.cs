using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Tessera.Core.Accounts;
using Tessera.Core.Members;
using Tessera.Server.Auth;

namespace Tessera.Server.WebConsole;

/// <summary>
/// The console's cookie session. The cookie carries the account and license key ids, the session's id and
/// when it began and must end (sealed by Data Protection), never the key itself. Every request checks that
/// the session has not reached its absolute end, was not signed out (on any server), and that its key is
/// still active, so sign-out and key revocation end it at the next request.
/// </summary>
public static class ConsoleSession
{
    public const string Scheme = "Console";
    public const string Policy = "Console";
    public const string CookieName = "tessera_console";

    /// <summary>The session's public id ("ses_…"): what the audit trail names as the actor, never the cookie.</summary>
    public const string SessionIdClaim = "tessera:console_session";

    /// <summary>When the session began (Unix milliseconds): sliding renewal moves the ticket's own issue time, not this.</summary>
    public const string IssuedAtClaim = "tessera:console_issued_at";

    /// <summary>The session's absolute end as sealed at sign-in (Unix milliseconds): a later, longer lifetime never extends it.</summary>
    public const string EndsAtClaim = "tessera:console_ends_at";

    public const string SessionIdPrefix = "ses_";

    public static ClaimsPrincipal PrincipalFor(Caller caller, string accountName, string sessionId, DateTimeOffset issuedAt, DateTimeOffset endsAt) =>
        new(new ClaimsIdentity(
        [
            // The key's scopes and workloads are sealed with the session: they are fixed for a key's whole life.
            .. CallerExtensions.KeyClaims(caller),
            new Claim(SessionIdClaim, sessionId),
            new Claim(IssuedAtClaim, Ms(issuedAt)),
            new Claim(EndsAtClaim, Ms(endsAt)),
            new Claim(ClaimTypes.Name, accountName),
        ], Scheme));

    /// <summary>The signed-in caller, as the audit trail records it: the session and the client's address.</summary>
    public static Caller ConsoleCaller(this HttpContext context) => context.User.Caller() with
    {
        ClientIp = context.ClientIp(),
        ConsoleSessionId = context.User.FindFirstValue(SessionIdClaim),
    };

    /// <summary>
    /// When the session must end: the end sealed at sign-in, or sooner when Tessera:Console:SessionLifetime
    /// was shortened since. Null for a cookie without these claims (sealed before sessions had an end).
    /// </summary>
    public static DateTimeOffset? EndOf(ClaimsPrincipal principal, ConsoleSettings settings)
    {
        if (!TryInstant(principal, IssuedAtClaim, out var issuedAt) || !TryInstant(principal, EndsAtClaim, out var endsAt))
        {
            return null;
        }
        var byLifetime = issuedAt + settings.SessionLifetime;
        return byLifetime < endsAt ? byLifetime : endsAt;
    }

    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        if (context.Principal is not { } principal || !await IsValidAsync(principal, context.HttpContext))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
        }
    }

    private static async Task<bool> IsValidAsync(ClaimsPrincipal principal, HttpContext http)
    {
        var services = http.RequestServices;
        var settings = services.GetRequiredService<ConsoleSettings>();
        // A cookie without an id or an end (sealed before sessions had them) is refused: no session lives unbounded.
        // One without scopes was sealed before keys had them: signing in again seals the key's scopes.
        if (principal.FindFirst(LicenseKeyAuthentication.AccountClaim) is null || principal.FindFirst(CallerExtensions.ScopeClaim) is null ||
            principal.FindFirstValue(SessionIdClaim) is not { } sessionId ||
            EndOf(principal, settings) is not { } end)
        {
            return false;
        }
        // The absolute end, however active the session has been: sliding renewal never passes it.
        if (services.GetRequiredService<TimeProvider>().GetUtcNow() >= end)
        {
            return false;
        }
        // Signed out through any server: the cookie may be a copy saved before sign-out. One point read by primary
        // key; the key check below already reads the database on every console request.
        if (await services.GetRequiredService<ConsoleSessionService>().IsSignedOutAsync(sessionId, http.RequestAborted))
        {
            return false;
        }
        var caller = principal.Caller();
        if (caller.MemberId is not null)
        {
            // A person's session lasts while they are a member with the role it was sealed with.
            return await services.GetRequiredService<MemberSignInService>().IsCurrentAsync(caller, http.RequestAborted);
        }
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        // Revoked or expired: the session ends with its key.
        return (await services.GetRequiredService<AccountService>().ListLicenseKeysAsync(caller, http.RequestAborted))
            .Any(k => k.Id == caller.LicenseKeyId && k.IsActiveAt(now));
    }

    private static string Ms(DateTimeOffset instant) => instant.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    private static bool TryInstant(ClaimsPrincipal principal, string claim, out DateTimeOffset instant)
    {
        instant = default;
        if (!long.TryParse(principal.FindFirstValue(claim), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ||
            ms > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return false;
        }
        instant = DateTimeOffset.FromUnixTimeMilliseconds(ms);
        return true;
    }
}
