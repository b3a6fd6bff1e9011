using Tessera.Contracts;

namespace Tessera.Client;

/// <summary>Webhook endpoints (API.md §7; the key needs <c>webhooks:manage</c>).</summary>
public sealed partial class TesseraManagementClient
{
    /// <summary><c>POST /v1/webhooks</c>: <see cref="CreatedWebhookResponse.Secret"/> is shown this once.</summary>
    /// <param name="url">An https URL reaching a public address.</param>
    /// <param name="events">Event types, or <c>*</c> for every type.</param>
    /// <param name="description">0–1000 characters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<CreatedWebhookResponse> CreateWebhookAsync(string url, IReadOnlyList<string> events, string? description = null,
        CancellationToken cancellationToken = default) =>
        CreateWebhookAsync(new CreateWebhookRequest(url, events, description), cancellationToken);

    /// <summary><c>POST /v1/webhooks</c> from the request body as the API takes it: the answer's secret is shown this once.</summary>
    /// <param name="request">The URL (https, a public address), the event types (or <c>*</c>) and a description.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<CreatedWebhookResponse> CreateWebhookAsync(CreateWebhookRequest request, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Post, "v1/webhooks", TesseraHttp.Json(request, Json.CreateWebhookRequest), Json.CreatedWebhookResponse, cancellationToken);

    /// <summary><c>GET /v1/webhooks</c>, every page, in creation order.</summary>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public IAsyncEnumerable<WebhookResponse> ListWebhooksAsync(CancellationToken cancellationToken = default) =>
        EveryPageAsync((cursor, ct) => _http.SendAsync(HttpMethod.Get, "v1/webhooks" + QueryString(200, cursor), null,
            Json.PageResponseWebhookResponse, ct), cancellationToken);

    /// <summary><c>GET /v1/webhooks/{id}</c>.</summary>
    /// <param name="webhookId">The endpoint's id (<c>wh_…</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<WebhookResponse> GetWebhookAsync(string webhookId, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Get, $"v1/webhooks/{Id(webhookId)}", null, Json.WebhookResponse, cancellationToken);

    /// <summary><c>PATCH /v1/webhooks/{id}</c>: the fields of <paramref name="update"/> that are set; the absent ones stay as they are.</summary>
    /// <param name="webhookId">The endpoint's id.</param>
    /// <param name="update">New url, events, description or enabled.</param>
    /// <param name="ifMatch">Apply only if the endpoint is still at this version (412 otherwise).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<WebhookResponse> UpdateWebhookAsync(string webhookId, UpdateWebhookRequest update, long? ifMatch = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        return _http.SendAsync(HttpMethod.Patch, $"v1/webhooks/{Id(webhookId)}", TesseraHttp.MergePatch(update, Json.UpdateWebhookRequest), Json.WebhookResponse,
            cancellationToken, ifMatch);
    }

    /// <summary><c>DELETE /v1/webhooks/{id}</c>, with its deliveries.</summary>
    /// <param name="webhookId">The endpoint's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task DeleteWebhookAsync(string webhookId, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Delete, $"v1/webhooks/{Id(webhookId)}", null, cancellationToken);

    /// <summary><c>POST /v1/webhooks/{id}/rotate-secret</c>: the new secret, shown this once; the old one still signs for 24 hours.</summary>
    /// <param name="webhookId">The endpoint's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<CreatedWebhookResponse> RotateWebhookSecretAsync(string webhookId, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Post, $"v1/webhooks/{Id(webhookId)}/rotate-secret", null, Json.CreatedWebhookResponse, cancellationToken);

    /// <summary><c>POST /v1/webhooks/{id}/test</c>: queues a <c>webhook.test</c> event to this endpoint; returns its delivery.</summary>
    /// <param name="webhookId">The endpoint's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<WebhookDeliveryResponse> TestWebhookAsync(string webhookId, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Post, $"v1/webhooks/{Id(webhookId)}/test", null, Json.WebhookDeliveryResponse, cancellationToken);

    /// <summary><c>GET /v1/webhooks/{id}/deliveries</c>, every page, newest first.</summary>
    /// <param name="webhookId">The endpoint's id.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public IAsyncEnumerable<WebhookDeliveryResponse> ListWebhookDeliveriesAsync(string webhookId, CancellationToken cancellationToken = default) =>
        EveryPageAsync((cursor, ct) => _http.SendAsync(HttpMethod.Get, $"v1/webhooks/{Id(webhookId)}/deliveries" + QueryString(200, cursor), null,
            Json.PageResponseWebhookDeliveryResponse, ct), cancellationToken);

    /// <summary><c>POST /v1/webhooks/{id}/deliveries/{deliveryId}/retry</c>: attempts the delivery again now.</summary>
    /// <param name="webhookId">The endpoint's id.</param>
    /// <param name="deliveryId">The delivery's id (<c>dlv_…</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<WebhookDeliveryResponse> RetryWebhookDeliveryAsync(string webhookId, string deliveryId, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Post, $"v1/webhooks/{Id(webhookId)}/deliveries/{Id(deliveryId)}/retry", null, Json.WebhookDeliveryResponse,
            cancellationToken);
}
