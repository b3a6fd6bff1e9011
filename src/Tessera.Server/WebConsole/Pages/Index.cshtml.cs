using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Tessera.Core.Accounts;
using Tessera.Server.Auth;

namespace Tessera.Server.WebConsole.Pages;

/// <summary>
/// The console owns '/', where sign-in lands: signed-in users go to the Dashboard (the home, ADR 0017) or, when their
/// key may not read usage, to the first page it may open; others are sent to sign in.
/// </summary>
[RequiredScope(null)]
public sealed class IndexModel : PageModel
{
    public IActionResult OnGet()
    {
        var key = HttpContext.ConsoleCaller();
        return Redirect(key.Holds(Scopes.UsageRead) ? "/dashboard"
            : key.Holds(Scopes.WorkloadsRead) ? "/workloads"
            : key.Holds(Scopes.TokensRead) ? "/tokens"
            : key.Holds(Scopes.KeysManage) ? "/keys"
            : key.Holds(Scopes.AuditRead) ? "/audit"
            : "/workloads"); // nothing to show: that page explains the refusal
    }
}
