using System.Text.Json.Nodes;
using Tessera.Core.Accounts;
using Tessera.Core.Events;
using Tessera.Core.Storage;
using Tessera.Core.Validation;

namespace Tessera.Core.Webhooks;

/// <summary>
/// The management of webhook endpoints (API.md §7): create (the secret shown once), read, list, patch, delete,
/// rotate the secret, send a test event, the deliveries log and a manual retry; and the bookkeeping of the
/// delivery worker's attempts (<see cref="OutcomeOf"/>). Endpoints receive every workload's events, so a
/// workload-bound key may not manage them, whatever its scopes.
/// </summary>
public sealed class WebhookService(IWebhookStore store, IWebhookSecretProtector protector, WebhookDestinations destinations,
    WebhookOptions options, TimeProvider time)
{
    private const string ListName = "webhooks";
    private const string DeliveriesName = "deliveries";
    private const string SortName = "id";

    private static readonly ConflictPath<WebhookEndpoint> Conflicts = new("webhook endpoint", endpoint => endpoint.Version, RefusalOf);

    public async Task<(WebhookEndpoint Endpoint, string Secret)> CreateAsync(Caller caller, string? url, IReadOnlyList<string>? events,
        string? description, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var validDescription = TextRules.FreeText(description, "description", errors);
        if (url is null)
        {
            errors.Add("url", "Required.");
        }
        var validEvents = ValidEvents(events, errors);
        errors.ThrowIfAny();
        EnsureAccountWide(caller);
        await EnsureDestinationAsync(url!, cancellationToken);
        var now = Instants.Now(time);
        var endpoint = new WebhookEndpoint(Ids.New(Ids.Webhook, now), caller.AccountId, url!, validEvents!, validDescription!, true, now, now, 1);
        var secret = WebhookSignature.NewSecret();
        if (!await store.InsertEndpointAsync(endpoint, protector.Protect(secret), WebhookOptions.MaxEndpointsPerAccount,
                [WebhookAudit.Created(caller, endpoint)], cancellationToken))
        {
            throw new TesseraException(ProblemKind.Conflict, ErrorCodes.WebhookLimitReached,
                $"An account has at most {WebhookOptions.MaxEndpointsPerAccount} webhook endpoints; delete one first.");
        }
        return (endpoint, secret);
    }

    public async Task<WebhookEndpoint> GetAsync(Caller caller, string endpointId, CancellationToken cancellationToken)
    {
        EnsureAccountWide(caller);
        return (Ids.IsWellFormed(Ids.Webhook, endpointId) ? await store.GetEndpointAsync(caller.AccountId, endpointId, cancellationToken) : null)
            ?? throw TesseraException.NotFound(ErrorCodes.WebhookNotFound, "webhook endpoint");
    }

    public async Task<Page<WebhookEndpoint>> ListAsync(Caller caller, PageRequest page, CancellationToken cancellationToken)
    {
        page.EnsureValid();
        EnsureAccountWide(caller);
        var found = await store.ListEndpointsAsync(caller.AccountId, page.Limit, page.After(ListName, SortName, Ids.Webhook)?.Id, cancellationToken);
        return found.WithCursor(endpoint => new ListCursor(ListName, SortName, endpoint.Id, 0, null));
    }

    public async Task<WebhookEndpoint> UpdateAsync(Caller caller, string endpointId, WebhookPatch patch, long? ifMatch, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        string? description = null;
        IReadOnlyList<string>? events = null;
        if (patch.Url.IsSet && patch.Url.Value is null)
        {
            errors.Add("url", "An endpoint always has a URL.");
        }
        if (patch.Description.IsSet)
        {
            description = TextRules.FreeText(patch.Description.Value, "description", errors);
        }
        if (patch.Enabled.IsSet && patch.Enabled.Value is null)
        {
            errors.Add("enabled", "Must be true or false.");
        }
        if (patch.Events.IsSet)
        {
            events = ValidEvents(patch.Events.Value, errors);
        }
        errors.ThrowIfAny();
        if (patch.Url.Value is { } url)
        {
            EnsureAccountWide(caller);
            await EnsureDestinationAsync(url, cancellationToken);
        }
        return await Conflicts.ChangeAsync(ifMatch, ct => GetAsync(caller, endpointId, ct), async (before, ct) =>
        {
            var after = before with
            {
                Url = patch.Url.Value ?? before.Url,
                Events = events ?? before.Events,
                Description = description ?? before.Description,
                Enabled = patch.Enabled.Value ?? before.Enabled,
            };
            if (after.Url == before.Url && after.Events.SequenceEqual(before.Events) && after.Description == before.Description &&
                after.Enabled == before.Enabled)
            {
                return (SaveResult.Saved, before);
            }
            after = after with { UpdatedAt = Instants.Now(time) };
            return (await store.UpdateEndpointAsync(after, [WebhookAudit.Updated(caller, before, after)], ct), after with { Version = before.Version + 1 });
        }, cancellationToken);
    }

    /// <summary>Deletes the endpoint and its deliveries, pinned to the version read (and to If-Match's, when given).</summary>
    public Task DeleteAsync(Caller caller, string endpointId, long? ifMatch, CancellationToken cancellationToken) =>
        Conflicts.DeleteAsync(ifMatch, ct => GetAsync(caller, endpointId, ct), (endpoint, ct) =>
            store.DeleteEndpointAsync(caller.AccountId, endpointId, [WebhookAudit.Deleted(caller, endpoint, Instants.Now(time))], ct,
                expectedVersion: endpoint.Version), cancellationToken);

    private static TesseraException RefusalOf(SaveResult result) => result == SaveResult.NotFound
        ? TesseraException.NotFound(ErrorCodes.WebhookNotFound, "webhook endpoint")
        : throw new InvalidOperationException($"A webhook store answered {result} to an endpoint change.");

    /// <summary>A new secret, returned once; the one it replaces keeps signing beside it for 24 hours so receivers can switch.</summary>
    public Task<(WebhookEndpoint Endpoint, string Secret)> RotateSecretAsync(Caller caller, string endpointId, CancellationToken cancellationToken)
    {
        var secret = WebhookSignature.NewSecret();
        return Conflicts.ChangeAsync(ifMatch: null, ct => GetAsync(caller, endpointId, ct), async (endpoint, ct) =>
        {
            var now = Instants.Now(time);
            var previousUntil = now + RotationOverlap;
            var result = await store.RotateSecretAsync(caller.AccountId, endpointId, protector.Protect(secret), previousUntil, now,
                [WebhookAudit.SecretRotated(caller, endpointId, now, previousUntil)], ct, expectedVersion: endpoint.Version);
            return (result, (endpoint with { UpdatedAt = now, Version = endpoint.Version + 1 }, secret));
        }, cancellationToken);
    }

    /// <summary>How long a rotated-out secret still signs (API.md §7).</summary>
    public static readonly TimeSpan RotationOverlap = TimeSpan.FromHours(24);

    /// <summary>Queues a <c>webhook.test</c> event to this endpoint alone, enabled or not subscribed to it; returns its delivery.</summary>
    public async Task<WebhookDelivery> SendTestAsync(Caller caller, string endpointId, CancellationToken cancellationToken)
    {
        var endpoint = await GetAsync(caller, endpointId, cancellationToken);
        var now = Instants.Now(time);
        var data = new JsonObject { ["webhookId"] = endpoint.Id, ["accountId"] = endpoint.AccountId };
        return await store.EnqueueAsync(OutboxEvent.Of(caller.AccountId, EventTypes.WebhookTest, now, data), endpoint.Id, cancellationToken);
    }

    public async Task<Page<WebhookDelivery>> ListDeliveriesAsync(Caller caller, string endpointId, PageRequest page, CancellationToken cancellationToken)
    {
        page.EnsureValid();
        await GetAsync(caller, endpointId, cancellationToken);
        var found = await store.ListDeliveriesAsync(caller.AccountId, endpointId, page.Limit, page.After(DeliveriesName, SortName, Ids.Delivery)?.Id,
            cancellationToken);
        return found.WithCursor(delivery => new ListCursor(DeliveriesName, SortName, delivery.Id, 0, null));
    }

    /// <summary>Sends a delivery again now, whatever its status (a failed one gets a fresh round of attempts from the worker).</summary>
    public async Task<WebhookDelivery> RetryDeliveryAsync(Caller caller, string endpointId, string deliveryId, CancellationToken cancellationToken)
    {
        await GetAsync(caller, endpointId, cancellationToken);
        return (Ids.IsWellFormed(Ids.Delivery, deliveryId)
                   ? await store.RetryDeliveryAsync(caller.AccountId, endpointId, deliveryId, Instants.Now(time), cancellationToken)
                   : null)
               ?? throw TesseraException.NotFound(ErrorCodes.DeliveryNotFound, "delivery");
    }

    /// <summary>
    /// What an attempt of <paramref name="delivery"/> finished at <paramref name="at"/> comes to: done, or the next try
    /// by the retry schedule (counting this attempt), or given up; and the failure streak that disables the endpoint.
    /// </summary>
    public DeliveryOutcome OutcomeOf(DueDelivery delivery, DateTimeOffset at, bool succeeded, int? responseStatus)
    {
        var failures = delivery.Attempts + 1;
        DateTimeOffset? next = succeeded || failures > options.Retries.Count ? null : at + options.Retries[failures - 1];
        return new DeliveryOutcome(delivery, at, succeeded, responseStatus, next, at - options.DisableAfter,
            WebhookAudit.Disabled(delivery.AccountId, delivery.EndpointId, at, options.DisableAfter));
    }

    private async Task EnsureDestinationAsync(string url, CancellationToken cancellationToken)
    {
        if (await destinations.RefusalAsync(url, cancellationToken) is { } refusal)
        {
            throw new TesseraException(ProblemKind.Validation, refusal.Code, Refusals.InvalidFields,
                new Dictionary<string, string[]> { ["url"] = [refusal.Message] });
        }
    }

    private static IReadOnlyList<string>? ValidEvents(IReadOnlyList<string>? events, ValidationErrors errors)
    {
        if (events is null || events.Count == 0)
        {
            errors.Add("events", "Name at least one event type, or \"*\" for every type.");
            return null;
        }
        if (events.FirstOrDefault(t => t != EventTypes.Everything && !EventTypes.IsKnown(t)) is { } unknown)
        {
            throw new TesseraException(ProblemKind.Validation, ErrorCodes.UnknownEventType, "The request names an unknown event type.",
                new Dictionary<string, string[]> { ["events"] = [$"Unknown event type '{(unknown.Length > 64 ? unknown[..64] + "…" : unknown)}'; the types are listed in the API reference."] });
        }
        return events.Contains(EventTypes.Everything) ? [EventTypes.Everything] : [.. EventTypes.All.Where(events.Contains)];
    }

    private static void EnsureAccountWide(Caller caller) =>
        caller.EnsureUnbound("This license key is bound to workloads; webhook endpoints receive every workload's events.");

    /// <summary>
    /// Deletes, in batches of at most <see cref="WebhookOptions.PruneBatchSize"/> (each its own short statement), the finished
    /// deliveries last attempted more than <see cref="WebhookOptions.Retention"/> ago, then the events as old with no delivery
    /// left; returns how many rows in all.
    /// </summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var before = Instants.Now(time) - options.Retention;
        var deliveries = await Pruning.InBatchesAsync((limit, ct) => store.PruneDeliveriesAsync(before, limit, ct), options.PruneBatchSize, cancellationToken);
        var events = await Pruning.InBatchesAsync((limit, ct) => store.PruneEventsAsync(before, limit, ct), options.PruneBatchSize, cancellationToken);
        return deliveries + events;
    }
}
