namespace Tessera.Contracts;

/// <summary>One event's delivery to one endpoint (the deliveries log).</summary>
/// <param name="Id">Delivery id (<c>dlv_…</c>).</param>
/// <param name="EventId">The event (<c>evt_…</c>), sent as <c>webhook-id</c> on every attempt.</param>
/// <param name="Type">The event type.</param>
/// <param name="Status"><c>pending</c>, <c>succeeded</c> or <c>failed</c> (retries exhausted).</param>
/// <param name="Attempts">Attempts made so far.</param>
/// <param name="LastResponseStatus">The HTTP status of the last attempt; null when it got none (timeout, refused, forbidden address).</param>
/// <param name="LastAttemptAt">When the last attempt was made.</param>
/// <param name="NextAttemptAt">When the next attempt is due, while pending.</param>
public sealed record WebhookDeliveryResponse(
    string Id,
    string EventId,
    string Type,
    string Status,
    int Attempts,
    int? LastResponseStatus,
    DateTimeOffset? LastAttemptAt,
    DateTimeOffset? NextAttemptAt);
