using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
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
public sealed class SignInModel(AccountService accounts, AuditService audit, MemberSignInService people, MemberTotpService totp,
    IDataProtectionProvider protection, FailureLimiter limiter, ConsoleSettings settings, TimeProvider time)
    : PageModel
{
    /// <summary>How long the second step waits for its code after the password was right.</summary>
    private static readonly TimeSpan SecondStepLifetime = TimeSpan.FromMinutes(5);

    private ITimeLimitedDataProtector SecondSteps => protection.CreateProtector("Tessera.Console.SecondStep").ToTimeLimitedDataProtector();

    /// <summary>
    /// Set when the password was right and the member has two-step sign-in: the sealed, short-lived proof of the first
    /// step that the code form carries (never the password, never a session).
    /// </summary>
    public string? SecondStep { get; private set; }

    public bool Joined => Request.Query.ContainsKey("joined");

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

    /// <summary>The single sign-on button's label, or null when the server has no OpenID provider (ADR 0022).</summary>
    public string? SsoName => settings.Oidc.IsConfigured ? settings.Oidc.DisplayName : null;

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
            (settings.AllowLicenseKeySignIn is null && await people.HasOwnerWithPasswordAsync(caller.AccountId, cancellationToken, ssoCounts: settings.Oidc.IsConfigured)))
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
        if (member.TotpSecret is not null)
        {
            SecondStep = SecondSteps.Protect(member.Id, SecondStepLifetime);
            return Page();
        }
        return await SignInMemberAsync(member, cancellationToken);
    }

    /// <summary>The second step: a code from the member's app, or a recovery code; refusals count against the person and the address.</summary>
    public async Task<IActionResult> OnPostCodeAsync([FromForm] string? secondStep, [FromForm] string? code, CancellationToken cancellationToken)
    {
        string? memberId = null;
        try
        {
            memberId = secondStep is null ? null : SecondSteps.Unprotect(secondStep);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // Expired or altered: start again with the password.
        }
        var member = memberId is null ? null : await people.GetAsync(memberId, cancellationToken);
        if (member is null)
        {
            Email = "";
            return await RefuseAsync(null, ErrorCodes.MemberSignInRefused, cancellationToken);
        }
        Email = member.Email;
        if (!limiter.MayTryMember(member.Id, out var wait))
        {
            return TooMany(wait);
        }
        if (!await totp.VerifyAsync(member, code, cancellationToken))
        {
            SecondStep = secondStep;
            if (!limiter.TryRecordMemberFailure(member.Id, out var memberWait))
            {
                return TooMany(memberWait);
            }
            return await RefuseAsync(member, "second_step_refused", cancellationToken);
        }
        return await SignInMemberAsync(member, cancellationToken);
    }

    private async Task<IActionResult> SignInMemberAsync(Member member, CancellationToken cancellationToken)
    {
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

    /// <summary>Where a sign-in lands: the page asked for, else the console's home ('/' picks it for the key: the Dashboard).</summary>
    private string Target() => !string.IsNullOrEmpty(ReturnUrl) && Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/";
}
