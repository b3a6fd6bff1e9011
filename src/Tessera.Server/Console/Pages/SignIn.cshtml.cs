using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Tessera.Core;
using Tessera.Core.Accounts;
using Tessera.Core.Audit;
using Tessera.Core.Members;
using Tessera.Server.Abuse;
using Tessera.Server.Auth;

namespace Tessera.Server.WebConsole.Pages;

/// <summary>
/// Signs a person in with email and password, or (where allowed, ADR 0018) with a license key. A refusal never says
/// why (an unknown address, a wrong password, an unknown or revoked key look alike).
/// </summary>
[ScopeExempt("signing in is how a person or a key is presented")]
public sealed class SignInModel(AccountService accounts, AuditService audit, MemberSignInService people, FailureLimiter limiter,
    ConsoleSettings settings, TimeProvider time)
    : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public bool Refused { get; private set; }

    /// <summary>Too many refusals from this address, or for this person: the form says to wait instead of trying again.</summary>
    public bool TooManyAttempts { get; private set; }

    /// <summary>The key was right, but this account's people sign in as themselves now.</summary>
    public bool KeySignInClosed { get; private set; }

    /// <summary>False when Tessera:Console:AllowLicenseKeySignIn is false: the key form is not offered.</summary>
    public bool OffersKeySignIn => settings.AllowLicenseKeySignIn != false;

    public string? Email { get; private set; }

    public IActionResult OnGet() =>
        User.Identity?.AuthenticationType == ConsoleSession.Scheme ? LocalRedirect(Target()) : Page();

    public async Task<IActionResult> OnPostAsync([FromForm] string? licenseKey, CancellationToken cancellationToken)
    {
        var clientIp = HttpContext.ClientIp();
        var (code, caller) = await accounts.AuthenticateAsync(licenseKey?.Trim(), clientIp, cancellationToken);
        if (caller is null)
        {
            return await RefuseAsync(null, code, cancellationToken);
        }
        if (settings.AllowLicenseKeySignIn == false ||
            (settings.AllowLicenseKeySignIn is null && await people.HasOwnerWithPasswordAsync(caller.AccountId, cancellationToken)))
        {
            KeySignInClosed = true;
            await audit.RecordSignInAsync(caller.AccountId, succeeded: false, null, clientIp, "license_key_sign_in_closed", cancellationToken);
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return Page();
        }
        var sessionId = await StartSessionAsync(caller, cancellationToken);
        await audit.RecordSignInAsync(caller.AccountId, succeeded: true, sessionId, clientIp, null, cancellationToken);
        return LocalRedirect(Target());
    }

    /// <summary>
    /// Email and password, limited per address (the budget of refused keys) and per person (so guesses spread over many
    /// addresses stop too): a person over their limit is refused even with the right password until the window passes.
    /// </summary>
    public async Task<IActionResult> OnPostPasswordAsync([FromForm] string? email, [FromForm] string? password, CancellationToken cancellationToken)
    {
        Email = email ?? "";
        var named = await people.FindAsync(email, cancellationToken);
        if (named is not null && !limiter.MayTryMember(named.Id, out var wait))
        {
            return TooMany(wait);
        }
        var member = await people.CheckPasswordAsync(email, password, cancellationToken);
        if (member is null)
        {
            if (named is not null && !limiter.TryRecordMemberFailure(named.Id, out var memberWait))
            {
                return TooMany(memberWait);
            }
            return await RefuseAsync(named, ErrorCodes.MemberSignInRefused, cancellationToken);
        }
        var caller = MemberSignInService.CallerOf(member, HttpContext.ClientIp());
        var sessionId = await StartSessionAsync(caller, cancellationToken);
        await people.RecordSignInAsync(member, succeeded: true, sessionId, caller.ClientIp, null, cancellationToken);
        return LocalRedirect(Target());
    }

    private async Task<string> StartSessionAsync(Caller caller, CancellationToken cancellationToken)
    {
        var account = await accounts.GetAccountAsync(caller, cancellationToken);
        var now = Instants.Now(time);
        var sessionId = Ids.New(ConsoleSession.SessionIdPrefix, now);
        await HttpContext.SignInAsync(ConsoleSession.Scheme,
            ConsoleSession.PrincipalFor(caller, account.Name, sessionId, now, now + settings.SessionLifetime));
        return sessionId;
    }

    private async Task<IActionResult> RefuseAsync(Member? named, string? code, CancellationToken cancellationToken)
    {
        Refused = true;
        if (!limiter.TryRecordFailure(HttpContext, FailureKind.LicenseKey, out var retryAfter))
        {
            // Over the limit: answered from memory, without an audit row (the first refusal of the window has one).
            return TooMany(retryAfter);
        }
        if (limiter.ShouldAuditSignInFailure(HttpContext))
        {
            if (named is not null)
            {
                // A known address: the account sees that someone tried its member's password.
                await people.RecordSignInAsync(named, succeeded: false, null, HttpContext.ClientIp(), code, cancellationToken);
            }
            else
            {
                await audit.RecordSignInAsync(null, succeeded: false, null, HttpContext.ClientIp(), code, cancellationToken);
            }
        }
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Page();
    }

    private PageResult TooMany(TimeSpan retryAfter)
    {
        Refused = true;
        TooManyAttempts = true;
        FailureLimiter.SetRetryAfter(Response, retryAfter);
        Response.StatusCode = StatusCodes.Status429TooManyRequests;
        return Page();
    }

    private string Target() => !string.IsNullOrEmpty(ReturnUrl) && Url.IsLocalUrl(ReturnUrl) && ReturnUrl != "/" ? ReturnUrl : "/workloads";
}
