using System.Security.Claims;
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
/// Single sign-on (ADR 0022): sends the person to the OpenID provider, and, when it sends them back, lets them in as the
/// member the provider vouches for, or refuses with a page that says why (another domain, an unverified address, a
/// removed member …) and an audit entry. 404 when the server has no provider configured.
/// </summary>
[ScopeExempt("signing in is how a person is presented")]
public sealed class SignInSsoModel(AccountService accounts, AuditService audit, MemberSignInService people, MemberSsoService sso,
    FailureLimiter limiter, ConsoleSettings settings, TimeProvider time) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    /// <summary>Why the sign-in was refused (a MemberSsoService reason, or sso_failed), or null.</summary>
    public string? Refusal { get; private set; }

    /// <summary>Where a successful sign-in continues (a same-site navigation, so the Strict session cookie goes with it).</summary>
    public string? Continue { get; private set; }

    public string ProviderName => settings.Oidc.DisplayName;

    public string EmailDomain => settings.Oidc.EmailDomain ?? "";

    public IActionResult OnGet()
    {
        if (!settings.Oidc.IsConfigured)
        {
            return NotFound();
        }
        var complete = Url.Page("/SignInSso", "Complete", new { returnUrl = Target() })!;
        return Challenge(new AuthenticationProperties { RedirectUri = complete }, ConsoleSso.Scheme);
    }

    public async Task<IActionResult> OnGetCompleteAsync(CancellationToken cancellationToken)
    {
        if (!settings.Oidc.IsConfigured)
        {
            return NotFound();
        }
        var external = await HttpContext.AuthenticateAsync(ConsoleSso.ExternalScheme);
        await HttpContext.SignOutAsync(ConsoleSso.ExternalScheme); // the provider's answer is used once
        if (!external.Succeeded || external.Principal is not { } principal)
        {
            return await FailedAsync(cancellationToken);
        }
        var identity = new SsoIdentity(principal.FindFirstValue("sub"), principal.FindFirstValue("email"),
            bool.TryParse(principal.FindFirstValue("email_verified"), out var verified) && verified, principal.FindFirstValue("name"));
        var clientIp = HttpContext.ClientIp();
        var (member, refusal) = await sso.SignInAsync(identity, settings.Oidc.Policy, clientIp, cancellationToken);
        if (refusal is not null || member is null)
        {
            // Each refusal followed a completed sign-in at the provider (which bounds how often it can happen): each is audited.
            Refusal = refusal ?? MemberSsoService.NoEmail;
            if (member is not null)
            {
                await people.RecordSignInAsync(member, succeeded: false, null, clientIp, Refusal, cancellationToken);
            }
            else
            {
                await audit.RecordSignInAsync(settings.Oidc.AccountId, succeeded: false, null, clientIp, Refusal, cancellationToken);
            }
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return Page();
        }
        var caller = MemberSignInService.CallerOf(member, clientIp);
        var account = await accounts.GetAccountAsync(caller, cancellationToken);
        var now = Instants.Now(time);
        var sessionId = Ids.New(ConsoleSession.SessionIdPrefix, now);
        await HttpContext.SignInAsync(ConsoleSession.Scheme,
            ConsoleSession.PrincipalFor(caller, account.Name, sessionId, now, now + settings.SessionLifetime));
        await people.RecordSignInAsync(member, succeeded: true, sessionId, clientIp, null, cancellationToken);
        Continue = Target();
        return Page();
    }

    /// <summary>The handler refused the provider's answer (a replayed state, an invalid id token, an error from the provider).</summary>
    public Task<IActionResult> OnGetFailedAsync(CancellationToken cancellationToken) =>
        settings.Oidc.IsConfigured ? FailedAsync(cancellationToken) : Task.FromResult<IActionResult>(NotFound());

    private async Task<IActionResult> FailedAsync(CancellationToken cancellationToken)
    {
        Refusal = "sso_failed";
        // Anyone can call this address: bounded like a refused key (one audit row per address per window).
        if (limiter.ShouldAuditSignInFailure(HttpContext))
        {
            await audit.RecordSignInAsync(null, succeeded: false, null, HttpContext.ClientIp(), Refusal, cancellationToken);
        }
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Page();
    }

    private string Target() => !string.IsNullOrEmpty(ReturnUrl) && Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : "/";
}
