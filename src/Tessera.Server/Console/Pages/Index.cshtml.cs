using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Tessera.Server.WebConsole.Pages;

/// <summary>The console owns '/': signed-in users go to their workloads, others are sent to sign in.</summary>
public sealed class IndexModel : PageModel
{
    public IActionResult OnGet() => Redirect("/workloads");
}
