using Microsoft.AspNetCore.Mvc;
using Tessera.Contracts;
using Tessera.Core;
using Tessera.Core.Accounts;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Core.Usage;
using Tessera.Core.Webhooks;
using Tessera.Core.Workloads;
using Tessera.Server.Auth;

namespace Tessera.Server.WebConsole.Pages;

/// <summary>
/// One workload: its Tokens section (tokens, how many expire soon, Create token, unassign, assign), details,
/// delete.
/// </summary>
[RequiredScope(Scopes.WorkloadsRead)]
public sealed class WorkloadDetailModel(WorkloadService workloads, TokenService tokens, UsageService usage, WebhookOptions webhooks, TimeProvider time)
    : ConsolePageModel(time)
{
    private const int TokenPageSize = 100;
    private const int MatchLimit = 20;

    private static readonly Dictionary<string, string> Notices = new(StringComparer.Ordinal)
    {
        ["created"] = "Workload created. Create its first token, or assign an unassigned one.",
        ["saved"] = "Changes saved.",
        ["assigned"] = "Token assigned to this workload.",
        ["unassigned"] = "Assignment removed; the token is now unassigned.",
    };

    [FromRoute]
    public string Id { get; set; } = "";

    [BindProperty(SupportsGet = true, Name = "find")]
    public string? Find { get; set; }

    [BindProperty(Name = "name")]
    public string? Name { get; set; }

    [BindProperty(Name = "description")]
    public string? Description { get; set; }

    public WorkloadView? View { get; private set; }

    /// <summary>The workload's usage charts, when the key may read usage.</summary>
    public UsagePanel? Usage { get; private set; }

    public IReadOnlyList<QueryToken> Tokens { get; private set; } = [];

    /// <summary>How soon a token counts as expiring, as the API's <c>state=expiring</c> (7 days by default).</summary>
    public TimeSpan ExpiringWithin => webhooks.ExpiringWithin;

    /// <summary>
    /// How many of its tokens are usable and expire within <see cref="ExpiringWithin"/>, counted up to one page of the
    /// list (<see cref="PageRequest.MaxLimit"/>); <see cref="MoreExpiring"/> says there are more.
    /// </summary>
    public int ExpiringCount { get; private set; }

    public bool MoreExpiring { get; private set; }

    public bool MoreTokens { get; private set; }

    public QueryToken? ConfirmUnassign { get; private set; }

    public IReadOnlyList<QueryToken> Matches { get; private set; } = [];

    public IReadOnlyList<string> UnassignedNames { get; private set; } = [];

    public async Task OnGetAsync([FromQuery] string? unassign, [FromQuery] string? done, CancellationToken cancellationToken)
    {
        Notice = done is null ? null : Notices.GetValueOrDefault(done);
        await LoadAsync(cancellationToken);
        ConfirmUnassign = Tokens.FirstOrDefault(t => t.Id == unassign);
    }

    [RequiredScope(Scopes.WorkloadsWrite)]
    public async Task<IActionResult> OnPostSaveAsync([FromForm] long? version, CancellationToken cancellationToken)
    {
        try
        {
            var patch = new WorkloadPatch { Name = Optional<string?>.Of(Name), Description = Optional<string?>.Of(Description ?? "") };
            await workloads.UpdateAsync(Caller, Id, patch, version, cancellationToken);
            return Redirect($"/workloads/{Id}?done=saved");
        }
        catch (TesseraException e) when (e.Kind is ProblemKind.Validation or ProblemKind.Conflict or ProblemKind.PreconditionFailed)
        {
            if (e.Code == ErrorCodes.WorkloadNameTaken)
            {
                ModelState.AddModelError("name", "Another workload already has this name.");
            }
            else if (e.Kind == ProblemKind.PreconditionFailed)
            {
                Error = "This workload was changed elsewhere (another tab or the API) after you opened this page, so nothing was saved. The form now shows the current values.";
                Name = Description = null;
            }
            else
            {
                Show(e);
            }
            await LoadAsync(cancellationToken);
            return Page();
        }
    }

    [RequiredScope(Scopes.WorkloadsWrite)]
    public async Task<IActionResult> OnPostDeleteAsync(CancellationToken cancellationToken)
    {
        await workloads.DeleteAsync(Caller, Id, ifMatch: null, cancellationToken);
        return Redirect("/workloads?done=deleted");
    }

    [RequiredScope(Scopes.TokensWrite)]
    public async Task<IActionResult> OnPostUnassignAsync([FromForm] string? tokenId, CancellationToken cancellationToken)
    {
        var token = await tokens.GetAsync(Caller, tokenId ?? "", cancellationToken);
        if (token.WorkloadId == Id)
        {
            await tokens.UpdateAsync(Caller, token.Id, new TokenPatch { WorkloadId = Optional<string?>.Of(null) }, null, cancellationToken);
        }
        return Redirect($"/workloads/{Id}?done=unassigned#token-management");
    }

    [RequiredScope(Scopes.TokensWrite)]
    public async Task<IActionResult> OnPostAssignAsync([FromForm] string? tokenId, CancellationToken cancellationToken)
    {
        await workloads.GetAsync(Caller, Id, cancellationToken);
        await tokens.UpdateAsync(Caller, tokenId ?? "", new TokenPatch { WorkloadId = Optional<string?>.Of(Id) }, null, cancellationToken);
        return Redirect($"/workloads/{Id}?done=assigned#token-management");
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        View = await workloads.GetAsync(Caller, Id, cancellationToken);
        if (May(Scopes.UsageRead))
        {
            Usage = await UsagePanel.LoadAsync(usage, Caller, "workload-usage", null, Id, cancellationToken);
        }
        if (!May(Scopes.TokensRead))
        {
            return; // the workload itself, without its tokens
        }
        var (items, next) = await tokens.ListAsync(Caller, new TokenQuery { WorkloadId = Id, Sort = TokenSort.Name }, new PageRequest(TokenPageSize), cancellationToken);
        Tokens = items;
        MoreTokens = next is not null;
        if (ExpiringWithin > TimeSpan.Zero)
        {
            // The same filter as the Tokens list's "Expiring soon", which the count links to.
            var expiring = new TokenQuery { WorkloadId = Id, State = TokenState.Usable, ExpiresBefore = Now + ExpiringWithin, Sort = TokenSort.ExpiresAt };
            var (soon, more) = await tokens.ListAsync(Caller, expiring, PageRequest.Largest(), cancellationToken);
            (ExpiringCount, MoreExpiring) = (soon.Count, more is not null);
        }
        var unassigned = new TokenQuery { UnassignedOnly = true, Sort = TokenSort.Name };
        UnassignedNames = (await tokens.ListAsync(Caller, unassigned, PageRequest.Largest(), cancellationToken)).Items
            .Select(t => t.Name).Distinct(StringComparer.Ordinal).ToList();
        Find = string.IsNullOrWhiteSpace(Find) ? null : Find.Trim();
        if (Find is not null)
        {
            Matches = (await tokens.ListAsync(Caller, unassigned with { NameContains = Find }, new PageRequest(MatchLimit), cancellationToken)).Items;
        }
    }
}
