using Microsoft.AspNetCore.Mvc;
using Tessera.Core;
using Tessera.Core.Accounts;
using Tessera.Core.Storage;
using Tessera.Core.Workloads;
using Tessera.Server.Auth;

namespace Tessera.Server.WebConsole.Pages;

/// <summary>The account's workloads, by name, with a form to create one.</summary>
[RequiredScope(Scopes.WorkloadsRead)]
public sealed class WorkloadsModel(WorkloadService workloads, TimeProvider time) : ConsolePageModel(time)
{
    private const int PageSize = 50;

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    [BindProperty(Name = "name")]
    public string? Name { get; set; }

    [BindProperty(Name = "description")]
    public string? Description { get; set; }

    public IReadOnlyList<WorkloadView> Items { get; private set; } = [];

    public string? NextCursor { get; private set; }

    public async Task OnGetAsync([FromQuery] string? done, CancellationToken cancellationToken)
    {
        Notice = done == "deleted" ? "Workload deleted. Its tokens were kept and are now unassigned." : null;
        await LoadAsync(cancellationToken);
    }

    [RequiredScope(Scopes.WorkloadsWrite)]
    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        try
        {
            var created = await workloads.CreateAsync(Caller, Name, Description, cancellationToken);
            return Redirect($"/workloads/{created.Workload.Id}?done=created");
        }
        catch (TesseraException e) when (e.Kind is ProblemKind.Validation or ProblemKind.Conflict)
        {
            if (e.Code == ErrorCodes.WorkloadNameTaken)
            {
                ModelState.AddModelError("name", "Another workload already has this name.");
            }
            else
            {
                Show(e);
            }
            Cursor = null;
            await LoadAsync(cancellationToken);
            return Page();
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            (Items, NextCursor) = await workloads.ListAsync(Caller, new PageRequest(PageSize, Cursor), cancellationToken);
        }
        catch (TesseraException e) when (e.Kind == ProblemKind.BadRequest)
        {
            Error = "That page link is no longer valid; showing the first page.";
            Cursor = null;
            (Items, NextCursor) = await workloads.ListAsync(Caller, new PageRequest(PageSize), cancellationToken);
        }
    }
}
