using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Contracts;
using Tessera.Core.Accounts;
using Tessera.Core.Storage;
using Tessera.Core.Webhooks;
using Tessera.Server.Auth;
using Tessera.Server.Http;
using Tessera.Server.Webhooks;

namespace Tessera.Server.Endpoints;

/// <summary><c>/v1/webhooks</c> (API.md §7): endpoints, their secrets, test events and the deliveries log.</summary>
public static class WebhookEndpoints
{
    private static readonly QueryContract ListQuery = new(QueryParameter.Limit(PageRequest.DefaultLimit, PageRequest.MaxLimit), QueryParameter.Cursor);

    public static RouteGroupBuilder MapWebhookEndpoints(this RouteGroupBuilder v1)
    {
        var webhooks = v1.MapGroup("/webhooks").WithTags("Webhooks");
        webhooks.MapPost("", CreateAsync).WithName("CreateWebhook").WithSummary("Create a webhook endpoint; the response carries its secret, once")
            .ProducesProblem(409).ProducesProblem(422).RequireScope(Scopes.WebhooksManage);
        webhooks.MapGet("", ListAsync).WithName("ListWebhooks").WithSummary("List webhook endpoints, paged (limit 1–200, cursor)").WithQuery(ListQuery).ProducesProblem(400)
            .RequireScope(Scopes.WebhooksManage);
        webhooks.MapGet("/{id}", GetAsync).WithName("GetWebhook").WithSummary("Read a webhook endpoint").ProducesProblem(404).RequireScope(Scopes.WebhooksManage);
        webhooks.MapPatch("/{id}", UpdateAsync).WithName("UpdateWebhook").WithSummary("Change a webhook endpoint's url, events, description or enabled (JSON merge patch; optional If-Match)")
            .ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(422).RequireScope(Scopes.WebhooksManage);
        webhooks.MapDelete("/{id}", DeleteAsync).WithName("DeleteWebhook").WithSummary("Delete a webhook endpoint and its deliveries (optional If-Match)")
            .ProducesProblem(404).ProducesProblem(412)
            .RequireScope(Scopes.WebhooksManage);
        webhooks.MapPost("/{id}/rotate-secret", RotateSecretAsync).WithName("RotateWebhookSecret").WithSummary("A new secret (in this response only); the old one signs beside it for 24 h")
            .ProducesProblem(404).RequireScope(Scopes.WebhooksManage);
        webhooks.MapPost("/{id}/test", TestAsync).WithName("TestWebhook").WithSummary("Send a webhook.test event to this endpoint").ProducesProblem(404)
            .RequireScope(Scopes.WebhooksManage);
        webhooks.MapGet("/{id}/deliveries", DeliveriesAsync).WithName("ListWebhookDeliveries").WithSummary("The endpoint's deliveries, newest first, paged (limit 1–200, cursor)")
            .WithQuery(ListQuery).ProducesProblem(400).ProducesProblem(404).RequireScope(Scopes.WebhooksManage);
        webhooks.MapPost("/{id}/deliveries/{deliveryId}/retry", RetryAsync).WithName("RetryWebhookDelivery").WithSummary("Attempt a delivery again now")
            .ProducesProblem(404).RequireScope(Scopes.WebhooksManage);
        return v1;
    }

    private static async Task<Created<CreatedWebhookResponse>> CreateAsync(JsonRequest<CreateWebhookRequest> body, HttpResponse response, ClaimsPrincipal user,
        WebhookService webhooks, CancellationToken cancellationToken)
    {
        var request = body.Value;
        var (endpoint, secret) = await webhooks.CreateAsync(user.Caller(), request.Url, request.Events, request.Description, cancellationToken);
        response.Headers.ETag = IfMatch.ETag(endpoint.Version);
        return TypedResults.Created($"/v1/webhooks/{endpoint.Id}", new CreatedWebhookResponse(Responses.Webhook(endpoint), secret));
    }

    private static async Task<Ok<PageResponse<WebhookResponse>>> ListAsync(HttpRequest request, ClaimsPrincipal user, WebhookService webhooks,
        CancellationToken cancellationToken)
    {
        var query = new QueryParameters(request, ListQuery);
        var page = new PageRequest(query.Int("limit", PageRequest.DefaultLimit), query.String("cursor"));
        query.ThrowIfInvalid();
        var (items, next) = await webhooks.ListAsync(user.Caller(), page, cancellationToken);
        return TypedResults.Ok(new PageResponse<WebhookResponse>([.. items.Select(Responses.Webhook)], next));
    }

    private static async Task<Ok<WebhookResponse>> GetAsync(string id, HttpResponse response, ClaimsPrincipal user, WebhookService webhooks,
        CancellationToken cancellationToken)
    {
        var endpoint = await webhooks.GetAsync(user.Caller(), id, cancellationToken);
        response.Headers.ETag = IfMatch.ETag(endpoint.Version);
        return TypedResults.Ok(Responses.Webhook(endpoint));
    }

    private static async Task<Ok<WebhookResponse>> UpdateAsync(string id, JsonRequest<UpdateWebhookRequest> body, HttpRequest request, HttpResponse response,
        ClaimsPrincipal user, WebhookService webhooks, CancellationToken cancellationToken)
    {
        var ifMatch = IfMatch.Version(request);
        var update = body.Value;
        var patch = new WebhookPatch { Url = update.Url, Events = update.Events, Description = update.Description, Enabled = update.Enabled };
        var endpoint = await webhooks.UpdateAsync(user.Caller(), id, patch, ifMatch, cancellationToken);
        response.Headers.ETag = IfMatch.ETag(endpoint.Version);
        return TypedResults.Ok(Responses.Webhook(endpoint));
    }

    private static async Task<NoContent> DeleteAsync(string id, HttpRequest request, ClaimsPrincipal user, WebhookService webhooks, CancellationToken cancellationToken)
    {
        await webhooks.DeleteAsync(user.Caller(), id, IfMatch.Version(request), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<CreatedWebhookResponse>> RotateSecretAsync(string id, ClaimsPrincipal user, WebhookService webhooks,
        CancellationToken cancellationToken)
    {
        var (endpoint, secret) = await webhooks.RotateSecretAsync(user.Caller(), id, cancellationToken);
        return TypedResults.Ok(new CreatedWebhookResponse(Responses.Webhook(endpoint), secret));
    }

    private static async Task<Accepted<WebhookDeliveryResponse>> TestAsync(string id, ClaimsPrincipal user, WebhookService webhooks,
        WebhookDispatcher dispatcher, CancellationToken cancellationToken)
    {
        var delivery = await webhooks.SendTestAsync(user.Caller(), id, cancellationToken);
        dispatcher.Wake();
        return TypedResults.Accepted($"/v1/webhooks/{id}/deliveries", Responses.Delivery(delivery));
    }

    private static async Task<Ok<PageResponse<WebhookDeliveryResponse>>> DeliveriesAsync(string id, HttpRequest request, ClaimsPrincipal user,
        WebhookService webhooks, CancellationToken cancellationToken)
    {
        var query = new QueryParameters(request, ListQuery);
        var page = new PageRequest(query.Int("limit", PageRequest.DefaultLimit), query.String("cursor"));
        query.ThrowIfInvalid();
        var (items, next) = await webhooks.ListDeliveriesAsync(user.Caller(), id, page, cancellationToken);
        return TypedResults.Ok(new PageResponse<WebhookDeliveryResponse>([.. items.Select(Responses.Delivery)], next));
    }

    private static async Task<Accepted<WebhookDeliveryResponse>> RetryAsync(string id, string deliveryId, ClaimsPrincipal user,
        WebhookService webhooks, WebhookDispatcher dispatcher, CancellationToken cancellationToken)
    {
        var delivery = await webhooks.RetryDeliveryAsync(user.Caller(), id, deliveryId, cancellationToken);
        dispatcher.Wake();
        return TypedResults.Accepted($"/v1/webhooks/{id}/deliveries", Responses.Delivery(delivery));
    }
}
