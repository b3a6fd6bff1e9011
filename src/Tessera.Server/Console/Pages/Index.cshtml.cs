using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Tessera.Core.Accounts;
using Tessera.Server.Auth;

namespace Tessera.Server.WebConsole.Pages;

/// <summary>The console owns '/': signed-in users go to the first page their key may open, others are sent to sign in.</summary>
[RequiredScope(null)]
public sealed class IndexModel : PageModel
{
    public IActionResult OnGet()
    {
        var key = HttpContext.ConsoleCaller();
        return Redirect(key.Holds(Scopes.WorkloadsRead) ? "/workloads"
            : key.Holds(Scopes.TokensRead) ? "/tokens"
            : key.Holds(Scopes.KeysManage) ? "/keys"
            : key.Holds(Scopes.AuditRead) ? "/audit"
            : "/workloads"); // nothing to show: that page explains the refusal
    }
}
