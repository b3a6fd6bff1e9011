using System.Net;
using Tessera.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Webhooks;

/// <summary>The webhook calls the tests make over and over, through real HTTP requests.</summary>
public static class WebhookApi
{
    public static async Task<CreatedWebhookResponse> CreateWebhookAsync(this TestAccount account, string url, params string[] events) =>
        await (await account.Client.PostJsonAsync("/v1/webhooks", new CreateWebhookRequest(url, events.Length == 0 ? ["*"] : events)))
            .ReadAsync<CreatedWebhookResponse>(HttpStatusCode.Created);

    public static async Task<WebhookResponse> GetWebhookAsync(this TestAccount account, string id) =>
        await (await account.Client.GetAsync($"/v1/webhooks/{id}")).ReadAsync<WebhookResponse>();

    public static async Task<PageResponse<WebhookDeliveryResponse>> DeliveriesAsync(this TestAccount account, string webhookId) =>
        await (await account.Client.GetAsync($"/v1/webhooks/{webhookId}/deliveries")).ReadAsync<PageResponse<WebhookDeliveryResponse>>();
}
