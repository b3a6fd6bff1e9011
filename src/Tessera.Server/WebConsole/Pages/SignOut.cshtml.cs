using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Tessera.Core.Accounts;
using Tessera.Server.Auth;

namespace Tessera.Server.WebConsole.Pages;

/// <summary>
/// Ends the console session (POST only, with antiforgery, so a link cannot sign anyone out): first on every
/// server, through a record in the database, then in this browser. Deleting the cookie alone would leave any
/// copy of it valid.
/// </summary>
[RequiredScope(null)]
public sealed class SignOutModel(ConsoleSessionService sessions, ConsoleSettings settings) : PageModel
{
    public IActionResult OnGet() => Redirect("/workloads");

    public async Task<IActionResult> OnPostAsync()
    {
        if (ConsoleSession.EndOf(User, settings) is { } end)
        {
            // Not the request's token: a sign-out whose browser stopped waiting must still end the session.
            await sessions.SignOutAsync(HttpContext.ConsoleCaller(), end, CancellationToken.None);
        }
        await HttpContext.SignOutAsync(ConsoleSession.Scheme);
        return Redirect("/sign-in");
    }
}
