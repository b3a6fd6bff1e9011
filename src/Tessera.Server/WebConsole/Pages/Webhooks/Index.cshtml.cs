using Microsoft.AspNetCore.Mvc;
using Tessera.Core;
using Tessera.Core.Accounts;
using Tessera.Core.Storage;
using Tessera.Core.Events;
using Tessera.Core.Webhooks;
using Tessera.Server.Auth;

namespace Tessera.Server.WebConsole.Pages;

/// <summary>
/// The account's webhook endpoints (API.md §7, issue 14): each with its events, whether it is enabled and how its
/// latest delivery went; and a form to add one, whose signing secret is shown once. Everything goes through
/// <see cref="WebhookService"/>, as the API does, so the same checks (the address guard, known event types, a
/// workload-bound key refused) and the same audit entries apply.
/// </summary>
[RequiredScope(Scopes.WebhooksManage)]
public sealed class WebhooksModel(WebhookService webhooks, TimeProvider time) : ConsolePageModel(time)
{
    private const int PageSize = 50;

    [BindProperty(SupportsGet = true, Name = "cursor")]
    public string? Cursor { get; set; }

    [BindProperty(Name = "url")]
    public string? EndpointUrl { get; set; }

    [BindProperty(Name = "description")]
    public string? Description { get; set; }

    [BindProperty(Name = "events")]
    public List<string> ChosenEvents { get; set; } = [];

    public IReadOnlyList<(WebhookEndpoint Endpoint, WebhookDelivery? Latest)> Items { get; private set; } = [];

    public string? NextCursor { get; private set; }

    /// <summary>The endpoint just created and its secret, shown this once.</summary>
    public (WebhookEndpoint Endpoint, string Secret)? Created { get; private set; }

    /// <summary>Every type an endpoint may subscribe to, in the contract's order.</summary>
    public static IReadOnlyList<string> EventChoices => EventTypes.All;

    public async Task OnGetAsync([FromQuery] string? done, CancellationToken cancellationToken)
    {
        Notice = done == "deleted" ? "Webhook endpoint deleted, with its deliveries. It receives nothing more." : null;
        await LoadAsync(cancellationToken);
    }

    [RequiredScope(Scopes.WebhooksManage)]
    public async Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken)
    {
        try
        {
            // Unchecked boxes send nothing: the use case refuses an empty list beside the field.
            Created = await webhooks.CreateAsync(Caller, string.IsNullOrWhiteSpace(EndpointUrl) ? null : EndpointUrl.Trim(), ChosenEvents,
                string.IsNullOrWhiteSpace(Description) ? null : Description, cancellationToken);
            EndpointUrl = Description = null;
            ChosenEvents = [];
        }
        catch (TesseraException e) when (e.Kind is ProblemKind.Validation or ProblemKind.Conflict)
        {
            Show(e);
        }
        Cursor = null;
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<WebhookEndpoint> endpoints;
        try
        {
            (endpoints, NextCursor) = await webhooks.ListAsync(Caller, new PageRequest(PageSize, Cursor), cancellationToken);
        }
        catch (TesseraException e) when (e.Kind == ProblemKind.BadRequest)
        {
            Error = "That page link is no longer valid; showing the first page.";
            Cursor = null;
            (endpoints, NextCursor) = await webhooks.ListAsync(Caller, new PageRequest(PageSize), cancellationToken);
        }
        // The newest delivery of each endpoint on this page, read through the same use case as its log.
        var items = new List<(WebhookEndpoint, WebhookDelivery?)>(endpoints.Count);
        foreach (var endpoint in endpoints)
        {
            try
            {
                var (latest, _) = await webhooks.ListDeliveriesAsync(Caller, endpoint.Id, new PageRequest(1), cancellationToken);
                items.Add((endpoint, latest.Count > 0 ? latest[0] : null));
            }
            catch (TesseraException e) when (e.Kind == ProblemKind.NotFound)
            {
                // Deleted elsewhere between the two reads: leave it out.
            }
        }
        Items = items;
    }
}
