using System.Globalization;
using Microsoft.AspNetCore.Html;
using Tessera.Core.Events;
using Tessera.Core.Webhooks;

namespace Tessera.Server.WebConsole;

/// <summary>How the console shows webhook endpoints and deliveries: a badge always carries its word, never only a colour.</summary>
public static class WebhookHtml
{
    /// <summary>An endpoint's subscription in words: "All events" for <c>*</c>, else its types.</summary>
    public static string Events(WebhookEndpoint endpoint) =>
        endpoint.Events.Contains(EventTypes.Everything) ? "All events" : string.Join(", ", endpoint.Events);

    public static IHtmlContent Enabled(WebhookEndpoint endpoint) => endpoint.Enabled
        ? new HtmlString("<span class=\"badge badge-usable\">Enabled</span>")
        : new HtmlString("<span class=\"badge badge-expired\">Disabled</span>");

    /// <summary>
    /// A delivery's status as a person reads it: a pending delivery whose last attempt failed is "Retrying" (it waits
    /// for its next try), one never attempted is "Pending".
    /// </summary>
    public static string StatusLabel(WebhookDelivery delivery) => delivery.Status switch
    {
        WebhookDelivery.Succeeded => "Succeeded",
        WebhookDelivery.Failed => "Failed",
        _ when delivery.Attempts > 0 => "Retrying",
        _ => "Pending",
    };

    public static IHtmlContent Status(WebhookDelivery delivery)
    {
        var css = delivery.Status switch
        {
            WebhookDelivery.Succeeded => "badge-usable",
            WebhookDelivery.Failed => "badge-cancelled",
            _ when delivery.Attempts > 0 => "badge-unassigned",
            _ => "badge-expired",
        };
        return new HtmlString($"<span class=\"badge {css}\">{StatusLabel(delivery)}</span>");
    }

    /// <summary>The receiver's last HTTP status, "no answer" for an attempt that got none (timeout, refused), or a dash.</summary>
    public static string ResponseCode(WebhookDelivery delivery) =>
        delivery.LastResponseStatus is { } status ? status.ToString(CultureInfo.InvariantCulture)
        : delivery.Attempts > 0 ? "no answer"
        : "—";

    /// <summary>True when a manual retry is worth offering: the delivery gave up, or its last attempt failed and it waits.</summary>
    public static bool MayRetry(WebhookDelivery delivery) =>
        delivery.Status == WebhookDelivery.Failed || (delivery.Status == WebhookDelivery.Pending && delivery.Attempts > 0);
}
