namespace Tessera.Core.Webhooks;

/// <summary>One event on its way to one endpoint: its status, how many attempts, the last answer and the next try.</summary>
public sealed record WebhookDelivery(
    string Id,
    string EndpointId,
    string EventId,
    string Type,
    string Status,
    int Attempts,
    int? LastResponseStatus,
    DateTimeOffset? LastAttemptAt,
    DateTimeOffset? NextAttemptAt)
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
}
