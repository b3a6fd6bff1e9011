namespace Tessera.Core.Webhooks;

/// <summary>
/// A receiver of an account's events (API.md §7): where to send, which types, and whether it is enabled. The secrets
/// are not here: the store keeps them encrypted and hands them only to the delivery worker (<see cref="DueDelivery"/>).
/// </summary>
public sealed record WebhookEndpoint(
    string Id,
    string AccountId,
    string Url,
    IReadOnlyList<string> Events,
    string Description,
    bool Enabled,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    long Version)
{
    /// <summary>True when this endpoint receives events of <paramref name="type"/>.</summary>
    public bool Receives(string type) => Events.Contains(Core.Events.EventTypes.Everything) || Events.Contains(type);
}
