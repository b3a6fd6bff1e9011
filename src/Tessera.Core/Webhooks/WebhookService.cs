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
    private const int MaxAttempts = 5;
    private const string ListName = "webhooks";
    private const string DeliveriesName = "deliveries";
    private const string SortName = "id";

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

    public async Task<(IReadOnlyList<WebhookEndpoint> Items, string? NextCursor)> ListAsync(Caller caller, int limit, string? cursor,
        CancellationToken cancellationToken)
    {
        EnsureLimit(limit);
        EnsureAccountWide(caller);
        var after = cursor is null ? null : ListCursor.Decode(cursor, ListName, SortName, Ids.Webhook).Id;
        var page = await store.ListEndpointsAsync(caller.AccountId, limit, after, cancellationToken);
        return (page.Items, page.HasMore ? new ListCursor(ListName, SortName, page.Items[^1].Id, 0, null).Encode() : null);
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
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var before = await GetAsync(caller, endpointId, cancellationToken);
            if (ifMatch is { } expected && before.Version != expected)
            {
                throw TesseraException.Stale();
            }
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
                return before;
            }
            after = after with { UpdatedAt = Instants.Now(time) };
            switch (await store.UpdateEndpointAsync(after, [WebhookAudit.Updated(caller, before, after)], cancellationToken))
            {
                case SaveResult.Saved:
                    return after with { Version = before.Version + 1 };
                case SaveResult.NotFound:
                    throw TesseraException.NotFound(ErrorCodes.WebhookNotFound, "webhook endpoint");
                case SaveResult.VersionConflict when ifMatch is not null:
                    throw TesseraException.Stale();
            }
        }
        throw new TesseraException(ProblemKind.Conflict, ErrorCodes.ConcurrentModification,
            "The webhook endpoint kept changing while this change was applied; try again.");
    }

    public async Task DeleteAsync(Caller caller, string endpointId, CancellationToken cancellationToken)
    {
        var endpoint = await GetAsync(caller, endpointId, cancellationToken);
        var now = Instants.Now(time);
        if (await store.DeleteEndpointAsync(caller.AccountId, endpointId, [WebhookAudit.Deleted(caller, endpoint, now)], cancellationToken)
            != SaveResult.Saved)
        {
            throw TesseraException.NotFound(ErrorCodes.WebhookNotFound, "webhook endpoint");
        }
    }

    /// <summary>A new secret, returned once; the one it replaces keeps signing beside it for 24 hours so receivers can switch.</summary>
    public async Task<(WebhookEndpoint Endpoint, string Secret)> RotateSecretAsync(Caller caller, string endpointId, CancellationToken cancellationToken)
    {
        var endpoint = await GetAsync(caller, endpointId, cancellationToken);
        var now = Instants.Now(time);
        var previousUntil = now + RotationOverlap;
        var secret = WebhookSignature.NewSecret();
        if (await store.RotateSecretAsync(caller.AccountId, endpointId, protector.Protect(secret), previousUntil, now,
                [WebhookAudit.SecretRotated(caller, endpointId, now, previousUntil)], cancellationToken) != SaveResult.Saved)
        {
            throw TesseraException.NotFound(ErrorCodes.WebhookNotFound, "webhook endpoint");
        }
        return (endpoint with { UpdatedAt = now, Version = endpoint.Version + 1 }, secret);
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

    public async Task<(IReadOnlyList<WebhookDelivery> Items, string? NextCursor)> ListDeliveriesAsync(Caller caller, string endpointId, int limit,
        string? cursor, CancellationToken cancellationToken)
    {
        EnsureLimit(limit);
        await GetAsync(caller, endpointId, cancellationToken);
        var after = cursor is null ? null : ListCursor.Decode(cursor, DeliveriesName, SortName, Ids.Delivery).Id;
        var page = await store.ListDeliveriesAsync(caller.AccountId, endpointId, limit, after, cancellationToken);
        return (page.Items, page.HasMore ? new ListCursor(DeliveriesName, SortName, page.Items[^1].Id, 0, null).Encode() : null);
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
            throw new TesseraException(ProblemKind.Validation, refusal.Code, "The request has invalid fields.",
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

    private static void EnsureLimit(int limit)
    {
        if (limit is < 1 or > Tokens.TokenService.MaxLimit)
        {
            var errors = new ValidationErrors();
            errors.Add("limit", $"Must be between 1 and {Tokens.TokenService.MaxLimit}.");
            errors.ThrowIfAny(ErrorCodes.InvalidQuery, ProblemKind.BadRequest);
        }
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
