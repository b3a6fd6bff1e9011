using Microsoft.AspNetCore.Mvc;
using Tessera.Contracts;
using Tessera.Core;
using Tessera.Core.Accounts;
using Tessera.Core.Audit;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Core.Usage;
using Tessera.Core.Workloads;
using Tessera.Server.Auth;

namespace Tessera.Server.WebConsole.Pages;

/// <summary>
/// One token: rename, note, reassign, cancel/reactivate, renew, set expiry, delete. Every form
/// carries the version it was rendered from, so a change made meanwhile elsewhere is reported
/// instead of overwritten.
/// </summary>
[RequiredScope(Scopes.TokensRead)]
public sealed class TokenDetailModel(TokenService tokens, WorkloadService workloads, AuditService audit, UsageService usage,
    Core.Webhooks.WebhookOptions webhooks, TimeProvider time)
    : ConsolePageModel(time)
{
    /// <summary>How soon a token counts as expiring (its amber badge), as the API's <c>state=expiring</c>.</summary>
    public TimeSpan ExpiringWithin => webhooks.ExpiringWithin;

    private static readonly Dictionary<string, string> Notices = new(StringComparer.Ordinal)
    {
        ["saved"] = "Changes saved.",
        ["cancelled"] = "Token cancelled. Every call with it is refused from now on.",
        ["active"] = "Token reactivated.",
        ["expiry"] = "Expiry updated.",
    };

    [FromRoute]
    public string Id { get; set; } = "";

    [BindProperty(Name = "name")]
    public string? Name { get; set; }

    [BindProperty(Name = "note")]
    public string? Note { get; set; }

    [BindProperty(Name = "workloadId")]
    public string? WorkloadId { get; set; }

    [BindProperty(Name = "expiresAt")]
    public string? ExpiresAt { get; set; }

    [BindProperty(Name = "version")]
    public long? Version { get; set; }

    public QueryToken? Token { get; private set; }

    public IReadOnlyList<Workload> Workloads { get; private set; } = [];

    /// <summary>Workload names by id, so the Activity section says "llama-3", not its id.</summary>
    public IReadOnlyDictionary<string, string> WorkloadNames => _workloadNames ??= Workloads.ToDictionary(w => w.Id, w => w.Name, StringComparer.Ordinal);

    private Dictionary<string, string>? _workloadNames;

    public string? WorkloadName { get; private set; }

    /// <summary>The newest entries of the token's audit trail (who changed what, when).</summary>
    public IReadOnlyList<AuditEntry> Activity { get; private set; } = [];

    /// <summary>True when the token has older entries than those shown (GET /v1/audit?objectId=… has them all).</summary>
    public bool MoreActivity { get; private set; }

    public const int ActivityShown = 20;

    /// <summary>The token's history is part of the account's audit trail: for keys that may read it.</summary>
    /// <summary>The token's usage charts, when the key may read usage.</summary>
    public UsagePanel? Usage { get; private set; }

    public bool ShowsActivity => May(Scopes.AuditRead) && Caller.WorkloadIds is null;

    public DateTimeOffset MaxExpiry => Now + tokens.Lifetime;

    public string LifetimeText => ConsoleHtml.Span(tokens.Lifetime);

    public async Task OnGetAsync([FromQuery] string? done, CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        Notice = done switch
        {
            null => null,
            "renewed" => $"Renewed. The token now expires {ConsoleHtml.Relative(Token!.ExpiresAt, Now)}, on {ConsoleHtml.Exact(Token.ExpiresAt)}.",
            _ => Notices.GetValueOrDefault(done),
        };
    }

    [RequiredScope(Scopes.TokensWrite)]
    public Task<IActionResult> OnPostSaveAsync(CancellationToken cancellationToken) => ChangeAsync("saved", () =>
        tokens.UpdateAsync(Caller, Id, new TokenPatch
        {
            Name = Optional<string?>.Of(Name),
            Note = Optional<string?>.Of(Note ?? ""),
            WorkloadId = Optional<string?>.Of(string.IsNullOrEmpty(WorkloadId) ? null : WorkloadId),
        }, Version, cancellationToken), cancellationToken);

    [RequiredScope(Scopes.TokensWrite)]
    public Task<IActionResult> OnPostStatusAsync([FromForm] string? status, CancellationToken cancellationToken) => ChangeAsync(status == "active" ? "active" : "cancelled", () =>
        tokens.UpdateAsync(Caller, Id, new TokenPatch { Status = Optional<string?>.Of(status) }, Version, cancellationToken), cancellationToken);

    [RequiredScope(Scopes.TokensWrite)]
    public Task<IActionResult> OnPostRenewAsync(CancellationToken cancellationToken) =>
        ChangeAsync("renewed", () => tokens.RenewAsync(Caller, Id, Version, cancellationToken), cancellationToken);

    [RequiredScope(Scopes.TokensWrite)]
    public Task<IActionResult> OnPostExpiryAsync(CancellationToken cancellationToken)
    {
        if (!TryParseLocalInput(ExpiresAt, out var at))
        {
            return InvalidAsync("expiresAt", "Give a date and time, e.g. 2026-12-24 18:00 (UTC).", cancellationToken);
        }
        var instant = Instants.Format(at);
        return ChangeAsync("expiry", () =>
            tokens.UpdateAsync(Caller, Id, new TokenPatch { ExpiresAt = Optional<string?>.Of(instant) }, Version, cancellationToken), cancellationToken);
    }

    [RequiredScope(Scopes.TokensWrite)]
    public async Task<IActionResult> OnPostDeleteAsync([FromForm] string? confirmName, CancellationToken cancellationToken)
    {
        var token = await tokens.GetAsync(Caller, Id, cancellationToken);
        if (!string.Equals(confirmName?.Trim(), token.Name, StringComparison.Ordinal))
        {
            return await InvalidAsync("confirmName", "Type the token's name exactly to confirm the deletion.", cancellationToken);
        }
        try
        {
            await tokens.DeleteAsync(Caller, Id, Version, cancellationToken);
            return Redirect("/tokens?done=deleted");
        }
        catch (TesseraException e) when (e.Kind == ProblemKind.PreconditionFailed)
        {
            return await StaleAsync(cancellationToken);
        }
    }

    /// <summary>Applies a change; on success shows the token again (PRG), on refusal shows why beside the fields.</summary>
    private async Task<IActionResult> ChangeAsync(string done, Func<Task<QueryToken>> change, CancellationToken cancellationToken)
    {
        try
        {
            await change();
            return Redirect($"/tokens/{Id}?done={done}");
        }
        catch (TesseraException e) when (e.Kind == ProblemKind.PreconditionFailed)
        {
            return await StaleAsync(cancellationToken);
        }
        catch (TesseraException e) when (e.Kind is ProblemKind.Validation or ProblemKind.Conflict)
        {
            Show(e);
            await LoadAsync(cancellationToken);
            return Page();
        }
    }

    private async Task<IActionResult> StaleAsync(CancellationToken cancellationToken)
    {
        Error = "This token was changed elsewhere (in another tab or through the API) after you opened this page, so your change was not applied. " +
                "The page now shows the current values; make your change again if it is still needed.";
        Name = Note = WorkloadId = ExpiresAt = null;
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task<IActionResult> InvalidAsync(string field, string message, CancellationToken cancellationToken)
    {
        ModelState.AddModelError(field, message);
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Token = await tokens.GetAsync(Caller, Id, cancellationToken);
        Workloads = await WorkloadChoices.AllAsync(workloads, Caller, cancellationToken);
        WorkloadName = Workloads.FirstOrDefault(w => w.Id == Token.WorkloadId)?.Name;
        if (May(Scopes.UsageRead))
        {
            Usage = await UsagePanel.LoadAsync(usage, Caller, "token-usage", Token.Id, null, cancellationToken);
        }
        if (ShowsActivity)
        {
            var (activity, next) = await audit.ListAsync(Caller, new AuditQuery { ObjectId = Token.Id }, new PageRequest(ActivityShown), cancellationToken);
            (Activity, MoreActivity) = (activity, next is not null);
        }
    }
}
