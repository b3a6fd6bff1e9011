using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Tessera.Core;
using Tessera.Core.Accounts;
using Tessera.Core.Audit;
using Tessera.Server.Abuse;
using Tessera.Server.Auth;

namespace Tessera.Server.WebConsole.Pages;

/// <summary>Signs in with a license key; a refusal never says why (unknown, revoked or malformed look alike).</summary>
[ScopeExempt("signing in is how a key is presented")]
public sealed class SignInModel(AccountService accounts, AuditService audit, FailureLimiter limiter, ConsoleSettings settings, TimeProvider time)
    : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public bool Refused { get; private set; }

    /// <summary>Too many refused keys from this address: the form says to wait instead of trying again.</summary>
    public bool TooManyAttempts { get; private set; }

    public IActionResult OnGet() =>
        User.Identity?.AuthenticationType == ConsoleSession.Scheme ? LocalRedirect(Target()) : Page();

    public async Task<IActionResult> OnPostAsync([FromForm] string? licenseKey, CancellationToken cancellationToken)
    {
        var clientIp = HttpContext.ClientIp();
        var (code, caller) = await accounts.AuthenticateAsync(licenseKey?.Trim(), clientIp, cancellationToken);
        if (caller is null)
        {
            Refused = true;
            if (!limiter.TryRecordFailure(HttpContext, FailureKind.LicenseKey, out var retryAfter))
            {
                // Over the limit: answered from memory, without an audit row (the first refusal of the window has one).
                TooManyAttempts = true;
                FailureLimiter.SetRetryAfter(Response, retryAfter);
                Response.StatusCode = StatusCodes.Status429TooManyRequests;
                return Page();
            }
            if (limiter.ShouldAuditSignInFailure(HttpContext))
            {
                await audit.RecordSignInAsync(null, succeeded: false, null, clientIp, code, cancellationToken);
            }
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        var account = await accounts.GetAccountAsync(caller, cancellationToken);
        var now = Instants.Now(time);
        var sessionId = Ids.New(ConsoleSession.SessionIdPrefix, now);
        await HttpContext.SignInAsync(ConsoleSession.Scheme,
            ConsoleSession.PrincipalFor(caller, account.Name, sessionId, now, now + settings.SessionLifetime));
        await audit.RecordSignInAsync(caller.AccountId, succeeded: true, sessionId, clientIp, null, cancellationToken);
        return LocalRedirect(Target());
    }

    private string Target() => !string.IsNullOrEmpty(ReturnUrl) && Url.IsLocalUrl(ReturnUrl) && ReturnUrl != "/" ? ReturnUrl : "/workloads";
}
