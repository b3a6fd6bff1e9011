using Tessera.Core.Audit;
using Tessera.Core.Events;
using Tessera.Core.Storage;

namespace Tessera.Core.Webhooks;

/// <summary>
/// Webhook endpoints and their deliveries. Events of changes are written by the other stores, with the change
/// (their audit entries' <see cref="AuditEntry.Subject"/>); this port writes the events that are no change (a test,
/// an expiry warning), and serves the delivery worker its claims.
/// </summary>
public interface IWebhookStore
{
    /// <summary>Inserts an endpoint unless the account already has <paramref name="limit"/>; false when it has.</summary>
    Task<bool> InsertEndpointAsync(WebhookEndpoint endpoint, string protectedSecret, int limit, IReadOnlyList<AuditEntry> audit, CancellationToken cancellationToken);

    Task<WebhookEndpoint?> GetEndpointAsync(string accountId, string endpointId, CancellationToken cancellationToken);

    /// <summary>One account's endpoints in creation order after <paramref name="afterId"/>.</summary>
    Task<Page<WebhookEndpoint>> ListEndpointsAsync(string accountId, int limit, string? afterId, CancellationToken cancellationToken);

    /// <summary>Saves url, events, description and enabled if the stored version is still <see cref="WebhookEndpoint.Version"/>; enabling clears the failure streak.</summary>
    Task<SaveResult> UpdateEndpointAsync(WebhookEndpoint endpoint, IReadOnlyList<AuditEntry> audit, CancellationToken cancellationToken);

    /// <summary>
    /// Makes <paramref name="protectedSecret"/> the signing secret; the current one keeps signing until <paramref name="previousUntil"/>.
    /// With <paramref name="expectedVersion"/>, only if the stored version matches (VersionConflict otherwise).
    /// </summary>
    Task<SaveResult> RotateSecretAsync(string accountId, string endpointId, string protectedSecret, DateTimeOffset previousUntil,
        DateTimeOffset now, IReadOnlyList<AuditEntry> audit, CancellationToken cancellationToken, long? expectedVersion = null);

    /// <summary>Deletes the endpoint and its deliveries; with <paramref name="expectedVersion"/>, only if the stored version matches.</summary>
    Task<SaveResult> DeleteEndpointAsync(string accountId, string endpointId, IReadOnlyList<AuditEntry> audit, CancellationToken cancellationToken,
        long? expectedVersion = null);

    /// <summary>Writes <paramref name="outboxEvent"/> with one delivery to <paramref name="endpointId"/> only (a test event); returns the delivery.</summary>
    Task<WebhookDelivery> EnqueueAsync(OutboxEvent outboxEvent, string endpointId, CancellationToken cancellationToken);

    /// <summary>One endpoint's deliveries, newest first, after <paramref name="afterId"/>.</summary>
    Task<Page<WebhookDelivery>> ListDeliveriesAsync(string accountId, string endpointId, int limit, string? afterId, CancellationToken cancellationToken);

    /// <summary>Makes the delivery pending and due at <paramref name="now"/>; null when it is not the endpoint's.</summary>
    Task<WebhookDelivery?> RetryDeliveryAsync(string accountId, string endpointId, string deliveryId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Claims up to <paramref name="limit"/> pending deliveries due at <paramref name="now"/> to enabled endpoints, not
    /// claimed by a server now, at most <paramref name="perEndpoint"/> to one endpoint and none to <paramref name="busyEndpoints"/>:
    /// each is this caller's until <paramref name="leaseUntil"/>. Several servers claiming at once never get the same delivery.
    /// </summary>
    Task<IReadOnlyList<DueDelivery>> ClaimDueAsync(DateTimeOffset now, DateTimeOffset leaseUntil, int limit, int perEndpoint,
        IReadOnlyCollection<string> busyEndpoints, CancellationToken cancellationToken);

    /// <summary>Records an attempt if the delivery is still claimed by its caller (same lease); true when the endpoint got disabled by it.</summary>
    Task<bool> RecordAttemptAsync(DeliveryOutcome outcome, CancellationToken cancellationToken);

    /// <summary>
    /// Records a batch of attempts in one write, each only if its delivery is still claimed under the lease it was claimed
    /// with (the others are left alone), with the failure streaks their endpoints get from them in the order of
    /// <see cref="DeliveryOutcome.At"/>; returns the endpoints the batch disabled.
    /// </summary>
    Task<IReadOnlyCollection<string>> RecordAttemptsAsync(IReadOnlyList<DeliveryOutcome> outcomes, CancellationToken cancellationToken);

    /// <summary>Gives up the claims of deliveries not attempted (each only while still under its lease), so any server may claim them now.</summary>
    Task ReleaseClaimsAsync(IReadOnlyList<DueDelivery> deliveries, CancellationToken cancellationToken);

    /// <summary>
    /// Emits up to <paramref name="limit"/> expiry warnings due at <paramref name="now"/> for one threshold: each active
    /// token expiring within <paramref name="threshold"/> but not within <paramref name="nextThreshold"/> (the next
    /// shorter one, whose own warning it gets instead), or, for <see cref="TimeSpan.Zero"/>, expired within
    /// <paramref name="lookback"/>, and not yet warned for this threshold and expiry value: marks it warned and writes
    /// the event <paramref name="build"/> makes, in one transaction. Returns how many. Several servers at once emit each once.
    /// </summary>
    Task<int> EmitExpiryWarningsAsync(DateTimeOffset now, TimeSpan threshold, TimeSpan? nextThreshold, TimeSpan lookback, int limit,
        Func<Tokens.QueryToken, OutboxEvent> build, CancellationToken cancellationToken);

    /// <summary>Deletes at most <paramref name="limit"/> finished deliveries (succeeded or failed) last attempted before <paramref name="before"/>, oldest first.</summary>
    Task<int> PruneDeliveriesAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken);

    /// <summary>Deletes at most <paramref name="limit"/> events that occurred before <paramref name="before"/> and have no delivery left, oldest first.</summary>
    Task<int> PruneEventsAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken);
}
