using Microsoft.AspNetCore.Mvc;
using Tessera.Core;
using Tessera.Core.Accounts;
using Tessera.Core.Audit;
using Tessera.Core.Storage;
using Tessera.Server.Auth;

namespace Tessera.Server.WebConsole.Pages;

/// <summary>The account's audit trail: filters by action, object, key and time; paged; each change field by field.</summary>
[RequiredScope(Scopes.AuditRead)]
public sealed class AuditModel(AuditService audit, AccountService accounts, TimeProvider time) : ConsolePageModel(time)
{
    private const int PageSize = 50;

    [BindProperty(SupportsGet = true, Name = "action")]
    public string? Action { get; set; }

    [BindProperty(SupportsGet = true, Name = "object")]
    public string? ObjectId { get; set; }

    [BindProperty(SupportsGet = true, Name = "key")]
    public string? KeyId { get; set; }

    /// <summary>datetime-local values, read as UTC.</summary>
    [BindProperty(SupportsGet = true, Name = "from")]
    public string? From { get; set; }

    [BindProperty(SupportsGet = true, Name = "to")]
    public string? To { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public IReadOnlyList<AuditEntry> Entries { get; private set; } = [];

    public string? NextCursor { get; private set; }

    public IReadOnlyList<LicenseKey> Keys { get; private set; } = [];

    /// <summary>"key name (lic_…)" for an entry made with a key this page knows; the id alone otherwise.</summary>
    public string Actor(AuditEntry entry) =>
        entry.ActorId is { } id && Keys.FirstOrDefault(k => k.Id == id) is { } key ? $"{key.Name} ({id})" : entry.ActorId ?? "";

    /// <summary>This page's link with the same filters and another cursor.</summary>
    public string PageLink(string? cursor) => QueryHelpers(("action", Action), ("object", ObjectId), ("key", KeyId), ("from", From), ("to", To), ("cursor", cursor));

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Keys = await accounts.ListLicenseKeysAsync(Caller, cancellationToken);
        var filter = new AuditQuery
        {
            Action = Blank(Action),
            ObjectId = Blank(ObjectId),
            ActorId = Blank(KeyId),
            From = Instant(From, "from"),
            To = Instant(To, "to"),
            Limit = PageSize,
        };
        if (!ModelState.IsValid)
        {
            return;
        }
        try
        {
            (Entries, NextCursor) = await audit.ListAsync(Caller, filter, Blank(Cursor), cancellationToken);
        }
        catch (TesseraException e) when (e.Kind == ProblemKind.BadRequest)
        {
            Show(e);
        }
    }

    private DateTimeOffset? Instant(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        if (TryParseLocalInput(value, out var at))
        {
            return at;
        }
        ModelState.AddModelError(field, "Give a date and time.");
        return null;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string QueryHelpers(params (string Name, string? Value)[] parameters) =>
        "/audit?" + string.Join('&', parameters.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}"));
}
