namespace Tessera.Core.Webhooks;

/// <summary>
/// A delivery the worker claimed, with all it needs to attempt it: the event, the endpoint's URL and its secrets
/// (still encrypted), and <see cref="ClaimedUntil"/>, the lease its outcome must still hold to be recorded.
/// </summary>
public sealed record DueDelivery(
    string Id,
    string AccountId,
    string EndpointId,
    string EventId,
    string Type,
    DateTimeOffset OccurredAt,
    string Data,
    string Url,
    string ProtectedSecret,
    string? ProtectedPreviousSecret,
    DateTimeOffset? PreviousSecretUntil,
    int Attempts,
    DateTimeOffset ClaimedUntil);
