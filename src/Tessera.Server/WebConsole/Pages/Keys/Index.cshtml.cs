using Microsoft.AspNetCore.Mvc;
using Tessera.Core;
using Tessera.Core.Accounts;
using Tessera.Core.Workloads;
using Tessera.Server.Auth;

namespace Tessera.Server.WebConsole.Pages;

/// <summary>
/// The account's license keys that the signed-in key may manage: list, create (scopes, workloads, end; the
/// secret shown once), revoke with confirmation. The key in use is marked; the last key that manages every
/// key offers no revoke (the server refuses it too).
/// </summary>
[RequiredScope(Scopes.KeysManage)]
public sealed class KeysModel(AccountService accounts, WorkloadService workloads, TimeProvider time) : ConsolePageModel(time)
{
    [BindProperty(Name = "name")]
    public string? Name { get; set; }

    [BindProperty(Name = "scopes")]
    public List<string> ChosenScopes { get; set; } = [];

    [BindProperty(Name = "workloadIds")]
    public List<string> ChosenWorkloads { get; set; } = [];

    /// <summary>A datetime-local value, read as UTC.</summary>
    [BindProperty(Name = "expiresAt")]
    public string? ExpiresAt { get; set; }

    public IReadOnlyList<LicenseKey> Keys { get; private set; } = [];

    public IReadOnlyList<Workload> Workloads { get; private set; } = [];

    /// <summary>The key asked to be revoked (?revoke=…), shown with a confirmation.</summary>
    public LicenseKey? Confirm { get; private set; }

    /// <summary>The key just created and its secret, shown this once.</summary>
    public (LicenseKey Key, string Secret)? Created { get; private set; }

    public string InUse => Caller.LicenseKeyId;

    /// <summary>The scopes the signed-in key may give (a key never creates a wider one).</summary>
    public IEnumerable<string> GrantableScopes => Scopes.Named.Where(May);

    public string WorkloadName(string id) => Workloads.FirstOrDefault(w => w.Id == id)?.Name ?? id;

    /// <summary>False for a revoked or expired key, and for the last key that manages every key (409 otherwise).</summary>
    public bool CanRevoke(LicenseKey key) =>
        key.IsActiveAt(Now) && (!key.ManagesEveryKeyAt(Now) || Keys.Any(k => k.Id != key.Id && k.ManagesEveryKeyAt(Now)));

    public async Task OnGetAsync([FromQuery] string? revoke, [FromQuery] string? done, CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        Confirm = revoke is null ? null : Keys.FirstOrDefault(k => k.Id == revoke && CanRevoke(k));
        Notice = done == "revoked" ? "License key revoked. It is refused from its next request on." : null;
    }

    [RequiredScope(Scopes.KeysManage)]
    public async Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken)
    {
        try
        {
            // A value that is no date goes on as it is, for the use case to refuse beside the field.
            var expires = string.IsNullOrWhiteSpace(ExpiresAt) ? null : TryParseLocalInput(ExpiresAt, out var at) ? Instants.Format(at) : ExpiresAt;
            Created = await accounts.CreateLicenseKeyAsync(Caller, Name,
                ChosenScopes.Count == 0 ? [] : ChosenScopes, ChosenWorkloads.Count == 0 ? null : ChosenWorkloads, expires, cancellationToken);
            Name = null;
            ChosenScopes = [];
            ChosenWorkloads = [];
            ExpiresAt = null;
        }
        catch (TesseraException e) when (e.Kind is ProblemKind.Validation)
        {
            Show(e);
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    [RequiredScope(Scopes.KeysManage)]
    public async Task<IActionResult> OnPostRevokeAsync([FromForm] string? keyId, CancellationToken cancellationToken)
    {
        try
        {
            await accounts.RevokeLicenseKeyAsync(Caller, keyId ?? "", cancellationToken);
            // The key in use is gone: its session ended with it, so the next page asks to sign in again.
            return Redirect("/keys?done=revoked");
        }
        catch (TesseraException e) when (e.Kind is ProblemKind.Conflict)
        {
            Error = e.Message;
            await LoadAsync(cancellationToken);
            return Page();
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Keys = [.. (await accounts.ListLicenseKeysAsync(Caller, cancellationToken)).OrderByDescending(k => k.IsActiveAt(Now)).ThenBy(k => k.CreatedAt)];
        Workloads = May(Scopes.WorkloadsRead) || Caller.WorkloadIds is not null ? await WorkloadChoices.AllAsync(workloads, Caller, cancellationToken) : [];
    }
}
