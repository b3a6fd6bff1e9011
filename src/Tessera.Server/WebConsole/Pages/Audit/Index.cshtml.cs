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

    /// <summary>Date-and-time fields, read as UTC (ADR 0021): "2026-12-31 22:48" or a date alone.</summary>
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
        if (Blank(Action) is { } action && !AuditActions.All.Contains(action, StringComparer.Ordinal))
        {
            // An edited or outdated link: say which value is unknown rather than failing the page.
            ModelState.AddModelError("action", $"“{action}” is not an action this page knows; choose one from the list.");
        }
        var filter = new AuditQuery
        {
            Action = Blank(Action),
            ObjectId = Blank(ObjectId),
            ActorId = Blank(KeyId),
            From = Instant(From, "from"),
            To = Instant(To, "to", endOfDay: true),
        };
        if (!ModelState.IsValid)
        {
            return;
        }
        try
        {
            (Entries, NextCursor) = await audit.ListAsync(Caller, filter, new PageRequest(PageSize, Blank(Cursor)), cancellationToken);
        }
        catch (TesseraException e) when (e.Kind == ProblemKind.BadRequest)
        {
            // A value from an edited link (an object id too long, a cursor of another list).
            Error = LinkProblem(e);
        }
    }

    /// <summary>A field's instant; for "to" a date alone means through that day (the bound is exclusive).</summary>
    private DateTimeOffset? Instant(string? value, string field, bool endOfDay = false)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        if (TryParseUtcInput(value, out var at, out var dateOnly))
        {
            return dateOnly && endOfDay ? at.AddDays(1) : at;
        }
        ModelState.AddModelError(field, $"Give a date and time in UTC, as {UtcField.Example}, or a date.");
        return null;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string QueryHelpers(params (string Name, string? Value)[] parameters) =>
        "/audit?" + string.Join('&', parameters.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}"));
}
