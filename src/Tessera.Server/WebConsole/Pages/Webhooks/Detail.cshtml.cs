using Microsoft.AspNetCore.Mvc;
using Tessera.Contracts;
using Tessera.Core;
using Tessera.Core.Accounts;
using Tessera.Core.Storage;
using Tessera.Core.Webhooks;
using Tessera.Server.Auth;
using Tessera.Server.Webhooks;

namespace Tessera.Server.WebConsole.Pages;

/// <summary>
/// One webhook endpoint: change its URL, description or events, enable or disable it, send a test event, rotate its secret (the new one shown once, the old
/// one signing beside it for 24 hours), delete it after confirmation, and its deliveries log with a retry for those
/// that failed. Each action is the API's use case (<see cref="WebhookService"/>) and, like the API, wakes the delivery
/// worker when there is something to send now.
/// </summary>
[RequiredScope(Scopes.WebhooksManage)]
public sealed class WebhookDetailModel(WebhookService webhooks, WebhookDispatcher dispatcher, TimeProvider time) : ConsolePageModel(time)
{
    private const int DeliveriesPageSize = 50;

    private static readonly Dictionary<string, string> Notices = new(StringComparer.Ordinal)
    {
        ["enabled"] = "Endpoint enabled. Deliveries to it resume, and new changes are sent to it again.",
        ["disabled"] = "Endpoint disabled. It receives nothing until it is enabled again; changes made meanwhile are not queued for it.",
        ["test"] = "Test event queued: a webhook.test delivery appears in the log below.",
        ["retried"] = "Delivery queued to be sent again now.",
        ["saved"] = "Changes saved. Changes from now on are sent as the endpoint now says.",
    };

    [FromRoute]
    public string Id { get; set; } = "";

    [BindProperty(SupportsGet = true, Name = "cursor")]
    public string? Cursor { get; set; }

    [BindProperty(Name = "url")]
    public string? EditUrl { get; set; }

    [BindProperty(Name = "description")]
    public string? EditDescription { get; set; }

    [BindProperty(Name = "events")]
    public List<string> EditEvents { get; set; } = [];

    /// <summary>True when the settings form shows what was posted (refused), not the endpoint as stored.</summary>
    public bool Editing { get; private set; }

    public WebhookEndpoint? Endpoint { get; private set; }

    public IReadOnlyList<WebhookDelivery> Deliveries { get; private set; } = [];

    public string? NextCursor { get; private set; }

    /// <summary>True when the page asks to confirm the deletion (?delete=1).</summary>
    public bool ConfirmDelete { get; private set; }

    /// <summary>The secret a rotation just made, shown this once.</summary>
    public string? RotatedSecret { get; private set; }

    /// <summary>Until when the secret it replaced still signs.</summary>
    public DateTimeOffset? PreviousSignsUntil { get; private set; }

    public async Task OnGetAsync([FromQuery] string? delete, [FromQuery] string? done, CancellationToken cancellationToken)
    {
        Notice = done is null ? null : Notices.GetValueOrDefault(done);
        await LoadAsync(cancellationToken);
        ConfirmDelete = delete is not null;
    }

    [RequiredScope(Scopes.WebhooksManage)]
    public async Task<IActionResult> OnPostSaveAsync([FromForm] long? version, CancellationToken cancellationToken)
    {
        try
        {
            var patch = new WebhookPatch
            {
                Url = Optional<string?>.Of(string.IsNullOrWhiteSpace(EditUrl) ? null : EditUrl.Trim()),
                Description = Optional<string?>.Of(EditDescription ?? ""),
                Events = Optional<IReadOnlyList<string>?>.Of(EditEvents),
            };
            await webhooks.UpdateAsync(Caller, Id, patch, version, cancellationToken);
            return Redirect($"/webhooks/{Id}?done=saved");
        }
        catch (TesseraException e) when (e.Kind is ProblemKind.Validation or ProblemKind.PreconditionFailed or ProblemKind.Conflict)
        {
            if (e.Kind is ProblemKind.Validation)
            {
                Show(e);
                Editing = true;
            }
            else
            {
                Error = "This endpoint was changed elsewhere (another tab or the API) after you opened this page, so nothing was saved. The form now shows its current settings.";
            }
            await LoadAsync(cancellationToken);
            return Page();
        }
    }

    [RequiredScope(Scopes.WebhooksManage)]
    public async Task<IActionResult> OnPostEnabledAsync([FromForm] bool enabled, [FromForm] long? version, CancellationToken cancellationToken)
    {
        try
        {
            await webhooks.UpdateAsync(Caller, Id, new WebhookPatch { Enabled = Optional<bool?>.Of(enabled) }, version, cancellationToken);
        }
        catch (TesseraException e) when (e.Kind is ProblemKind.PreconditionFailed or ProblemKind.Conflict)
        {
            Error = "This endpoint was changed elsewhere (another tab or the API) after you opened this page, so nothing was changed. The page now shows its current state.";
            await LoadAsync(cancellationToken);
            return Page();
        }
        if (enabled)
        {
            dispatcher.Wake(); // its waiting deliveries may go now
        }
        return Redirect($"/webhooks/{Id}?done={(enabled ? "enabled" : "disabled")}");
    }

    [RequiredScope(Scopes.WebhooksManage)]
    public async Task<IActionResult> OnPostTestAsync(CancellationToken cancellationToken)
    {
        await webhooks.SendTestAsync(Caller, Id, cancellationToken);
        dispatcher.Wake();
        return Redirect($"/webhooks/{Id}?done=test#deliveries");
    }

    [RequiredScope(Scopes.WebhooksManage)]
    public async Task<IActionResult> OnPostRotateAsync(CancellationToken cancellationToken)
    {
        var (_, secret) = await webhooks.RotateSecretAsync(Caller, Id, cancellationToken);
        RotatedSecret = secret;
        PreviousSignsUntil = Now + WebhookService.RotationOverlap;
        await LoadAsync(cancellationToken);
        return Page();
    }

    [RequiredScope(Scopes.WebhooksManage)]
    public async Task<IActionResult> OnPostRetryAsync([FromForm] string? deliveryId, CancellationToken cancellationToken)
    {
        await webhooks.RetryDeliveryAsync(Caller, Id, deliveryId ?? "", cancellationToken);
        dispatcher.Wake();
        return Redirect($"/webhooks/{Id}?done=retried#deliveries");
    }

    [RequiredScope(Scopes.WebhooksManage)]
    public async Task<IActionResult> OnPostDeleteAsync(CancellationToken cancellationToken)
    {
        await webhooks.DeleteAsync(Caller, Id, ifMatch: null, cancellationToken);
        return Redirect("/webhooks?done=deleted");
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Endpoint = await webhooks.GetAsync(Caller, Id, cancellationToken);
        try
        {
            (Deliveries, NextCursor) = await webhooks.ListDeliveriesAsync(Caller, Id, new PageRequest(DeliveriesPageSize, Cursor), cancellationToken);
        }
        catch (TesseraException e) when (e.Kind == ProblemKind.BadRequest)
        {
            Error = "That page link is no longer valid; showing the newest deliveries.";
            Cursor = null;
            (Deliveries, NextCursor) = await webhooks.ListDeliveriesAsync(Caller, Id, new PageRequest(DeliveriesPageSize), cancellationToken);
        }
    }
}
