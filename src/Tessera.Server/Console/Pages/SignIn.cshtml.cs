using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Tessera.Core.Accounts;

namespace Tessera.Server.WebConsole.Pages;

/// <summary>Signs in with a license key; a refusal never says why (unknown, revoked or malformed look alike).</summary>
public sealed class SignInModel(AccountService accounts) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public bool Refused { get; private set; }

    public IActionResult OnGet() =>
        User.Identity?.AuthenticationType == ConsoleSession.Scheme ? LocalRedirect(Target()) : Page();

    public async Task<IActionResult> OnPostAsync([FromForm] string? licenseKey, CancellationToken cancellationToken)
    {
        var (_, caller) = await accounts.AuthenticateAsync(licenseKey?.Trim(), cancellationToken);
        if (caller is null)
        {
            Refused = true;
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        var account = await accounts.GetAccountAsync(caller, cancellationToken);
        await HttpContext.SignInAsync(ConsoleSession.Scheme, ConsoleSession.PrincipalFor(caller, account.Name));
        return LocalRedirect(Target());
    }

    private string Target() => !string.IsNullOrEmpty(ReturnUrl) && Url.IsLocalUrl(ReturnUrl) && ReturnUrl != "/" ? ReturnUrl : "/workloads";
}
