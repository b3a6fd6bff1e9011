using System.Text;
using Dapper;
using Tessera.Core.Audit;
using Tessera.Core.Events;
using Tessera.Core.Storage;
using Tessera.Core.Webhooks;

namespace Tessera.Storage.Sql;

/// <summary>Webhook endpoints and the deliveries log (migration 0009) on any <see cref="SqlDatabase"/>; the worker's side is <see cref="SqlWebhookQueue"/>.</summary>
public sealed class SqlWebhookStore(SqlDatabase database) : IWebhookStore
{
    private const string EndpointColumns = "id, account_id, url, event_types, description, enabled, created_at, updated_at, version";

    internal const string DeliveryColumns =
        "id, endpoint_id, event_id, type, status, attempts, last_response_status, last_attempt_at, next_attempt_at";

    private readonly SqlWebhookQueue _queue = new(database);

    public Task<bool> InsertEndpointAsync(WebhookEndpoint endpoint, string protectedSecret, int limit, IReadOnlyList<AuditEntry> audit,
        CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction, ct) =>
        {
            // Counted under the account's lock, so endpoints created at once cannot pass the limit together.
            await database.LockAccountAsync(connection, transaction, endpoint.AccountId, ct);
            var count = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT COUNT(*) FROM webhook_endpoints WHERE account_id = @AccountId", new { endpoint.AccountId }, transaction, cancellationToken: ct));
            if (count >= limit)
            {
                return WriteOutcome.RollBack(false);
            }
            await connection.ExecuteAsync(new CommandDefinition(
                $"""
                INSERT INTO webhook_endpoints ({EndpointColumns}, secret, previous_secret, previous_secret_until, failing_since)
                VALUES (@Id, @AccountId, @Url, @EventTypes, @Description, @Enabled, @CreatedAt, @UpdatedAt, @Version, @protectedSecret, NULL, NULL, NULL)
                """,
                Parameters(endpoint, new { protectedSecret }), transaction, cancellationToken: ct));
            await SqlAuditStore.WriteAsync(connection, transaction, audit, ct);
            return WriteOutcome.Commit(true);
        }, cancellationToken);

    public async Task<WebhookEndpoint?> GetEndpointAsync(string accountId, string endpointId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<EndpointRow>(new CommandDefinition(
            $"SELECT {EndpointColumns} FROM webhook_endpoints WHERE id = @endpointId AND account_id = @accountId",
            new { endpointId, accountId }, cancellationToken: cancellationToken));
        return row?.ToDomain();
    }

    public async Task<Page<WebhookEndpoint>> ListEndpointsAsync(string accountId, int limit, string? afterId, CancellationToken cancellationToken)
    {
        var sql = new StringBuilder($"SELECT {EndpointColumns} FROM webhook_endpoints WHERE account_id = @accountId");
        var parameters = new DynamicParameters(new { accountId });
        Keyset.Page(sql, parameters, null, "id", descending: false, null, afterId, limit);
        await using var connection = await database.OpenAsync(cancellationToken);
        return await Keyset.ReadAsync<EndpointRow, WebhookEndpoint>(connection, sql.ToString(), parameters, limit, r => r.ToDomain(), cancellationToken);
    }

    public Task<SaveResult> UpdateEndpointAsync(WebhookEndpoint endpoint, IReadOnlyList<AuditEntry> audit, CancellationToken cancellationToken) =>
        // Enabling again starts a new failure streak: the endpoint gets DisableAfter from its next failure.
        database.WriteRowAsync(new VersionedRow("webhook_endpoints", endpoint.AccountId, endpoint.Id, endpoint.Version),
            """
            UPDATE webhook_endpoints SET url = @Url, event_types = @EventTypes, description = @Description, enabled = @Enabled,
                updated_at = @UpdatedAt, version = @Version + 1,
                failing_since = CASE WHEN enabled = 0 AND @Enabled = 1 THEN NULL ELSE failing_since END
            """, Parameters(endpoint), audit, cancellationToken);

    public Task<SaveResult> RotateSecretAsync(string accountId, string endpointId, string protectedSecret, DateTimeOffset previousUntil,
        DateTimeOffset now, IReadOnlyList<AuditEntry> audit, CancellationToken cancellationToken, long? expectedVersion = null) =>
        // The current secret becomes the previous one (a rotation during a rotation drops the oldest).
        database.WriteRowAsync(new VersionedRow("webhook_endpoints", accountId, endpointId, expectedVersion),
            """
            UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_until = @previousUntil, secret = @protectedSecret,
                updated_at = @now, version = version + 1
            """,
            new { protectedSecret, previousUntil = Ms.Of(previousUntil), now = Ms.Of(now) }, audit, cancellationToken);

    public Task<SaveResult> DeleteEndpointAsync(string accountId, string endpointId, IReadOnlyList<AuditEntry> audit, CancellationToken cancellationToken,
        long? expectedVersion = null) =>
        database.WriteRowAsync(new VersionedRow("webhook_endpoints", accountId, endpointId, expectedVersion), "DELETE FROM webhook_endpoints", null, audit,
            cancellationToken, first: async (connection, transaction, ct) =>
            {
                // Undone with the rest when the endpoint is gone or at another version.
                await connection.ExecuteAsync(new CommandDefinition(
                    "DELETE FROM webhook_deliveries WHERE endpoint_id = @endpointId AND account_id = @accountId",
                    new { accountId, endpointId }, transaction, cancellationToken: ct));
                return [];
            });

    public Task<WebhookDelivery> EnqueueAsync(OutboxEvent outboxEvent, string endpointId, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction, ct) =>
        {
            await SqlEventOutbox.InsertEventAsync(connection, transaction, outboxEvent, ct);
            var id = await SqlEventOutbox.InsertDeliveryAsync(connection, transaction, outboxEvent, endpointId, ct);
            return WriteOutcome.Commit(new WebhookDelivery(id, endpointId, outboxEvent.Id, outboxEvent.Type, WebhookDelivery.Pending, 0, null, null,
                outboxEvent.At));
        }, cancellationToken);

    public async Task<Page<WebhookDelivery>> ListDeliveriesAsync(string accountId, string endpointId, int limit, string? afterId,
        CancellationToken cancellationToken)
    {
        var sql = new StringBuilder($"SELECT {DeliveryColumns} FROM webhook_deliveries WHERE endpoint_id = @endpointId AND account_id = @accountId");
        var parameters = new DynamicParameters(new { accountId, endpointId });
        Keyset.Page(sql, parameters, null, "id", descending: true, null, afterId, limit);
        await using var connection = await database.OpenAsync(cancellationToken);
        return await Keyset.ReadAsync<DeliveryRow, WebhookDelivery>(connection, sql.ToString(), parameters, limit, r => r.ToDomain(), cancellationToken);
    }

    public Task<WebhookDelivery?> RetryDeliveryAsync(string accountId, string endpointId, string deliveryId, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction, ct) =>
        {
            // A delivery being attempted right now keeps its claim: the retry follows that attempt rather than racing it.
            var rows = await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = @now
                WHERE id = @deliveryId AND endpoint_id = @endpointId AND account_id = @accountId
                """,
                new { accountId, endpointId, deliveryId, now = Ms.Of(now) }, transaction, cancellationToken: ct));
            if (rows != 1)
            {
                return WriteOutcome.RollBack<WebhookDelivery?>(null);
            }
            var row = await connection.QuerySingleAsync<DeliveryRow>(new CommandDefinition(
                $"SELECT {DeliveryColumns} FROM webhook_deliveries WHERE id = @deliveryId", new { deliveryId }, transaction, cancellationToken: ct));
            return WriteOutcome.Commit<WebhookDelivery?>(row.ToDomain());
        }, cancellationToken);

    public Task<IReadOnlyList<DueDelivery>> ClaimDueAsync(DateTimeOffset now, DateTimeOffset leaseUntil, int limit, int perEndpoint,
        IReadOnlyCollection<string> busyEndpoints, CancellationToken cancellationToken) =>
        _queue.ClaimDueAsync(now, leaseUntil, limit, perEndpoint, busyEndpoints, cancellationToken);

    public async Task<bool> RecordAttemptAsync(DeliveryOutcome outcome, CancellationToken cancellationToken) =>
        (await _queue.RecordAttemptsAsync([outcome], cancellationToken)).Count > 0;

    public Task<IReadOnlyCollection<string>> RecordAttemptsAsync(IReadOnlyList<DeliveryOutcome> outcomes, CancellationToken cancellationToken) =>
        _queue.RecordAttemptsAsync(outcomes, cancellationToken);

    public Task ReleaseClaimsAsync(IReadOnlyList<DueDelivery> deliveries, CancellationToken cancellationToken) =>
        _queue.ReleaseClaimsAsync(deliveries, cancellationToken);

    public Task<int> EmitExpiryWarningsAsync(DateTimeOffset now, TimeSpan threshold, TimeSpan? nextThreshold, TimeSpan lookback, int limit,
        Func<Core.Tokens.QueryToken, OutboxEvent> build, CancellationToken cancellationToken) =>
        _queue.EmitExpiryWarningsAsync(now, threshold, nextThreshold, lookback, limit, build, cancellationToken);

    public async Task<int> PruneDeliveriesAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // A bounded batch, oldest first, on the partial index of finished deliveries (migration 0013): pending ones stay.
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM webhook_deliveries WHERE id IN (
                SELECT id FROM webhook_deliveries WHERE status <> 'pending' AND last_attempt_at < @before ORDER BY last_attempt_at LIMIT @limit)
            """,
            new { before = Ms.Of(before), limit }, cancellationToken: cancellationToken));
    }

    public async Task<int> PruneEventsAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // An event still referenced by a delivery (pending, or finished but younger) is kept: a retry resends its body.
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM events WHERE id IN (
                SELECT v.id FROM events v WHERE v.occurred_at < @before
                    AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = v.id)
                ORDER BY v.occurred_at LIMIT @limit)
            """,
            new { before = Ms.Of(before), limit }, cancellationToken: cancellationToken));
    }

    private static DynamicParameters Parameters(WebhookEndpoint e, object? more = null)
    {
        var parameters = new DynamicParameters(new
        {
            e.Id,
            e.AccountId,
            e.Url,
            EventTypes = SqlEventOutbox.Stored(e.Events),
            e.Description,
            Enabled = e.Enabled ? 1 : 0,
            CreatedAt = Ms.Of(e.CreatedAt),
            UpdatedAt = Ms.Of(e.UpdatedAt),
            e.Version,
        });
        if (more is not null)
        {
            parameters.AddDynamicParams(more);
        }
        return parameters;
    }

    private sealed class EndpointRow
    {
        public string Id { get; set; } = "";
        public string AccountId { get; set; } = "";
        public string Url { get; set; } = "";
        public string EventTypes { get; set; } = "";
        public string Description { get; set; } = "";
        public long Enabled { get; set; }
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }
        public long Version { get; set; }

        public WebhookEndpoint ToDomain() =>
            new(Id, AccountId, Url, SqlEventOutbox.Parse(EventTypes), Description, Enabled != 0, Ms.At(CreatedAt), Ms.At(UpdatedAt), Version);
    }

    internal sealed class DeliveryRow
    {
        public string Id { get; set; } = "";
        public string EndpointId { get; set; } = "";
        public string EventId { get; set; } = "";
        public string Type { get; set; } = "";
        public string Status { get; set; } = "";
        public long Attempts { get; set; }
        public long? LastResponseStatus { get; set; }
        public long? LastAttemptAt { get; set; }
        public long? NextAttemptAt { get; set; }

        public WebhookDelivery ToDomain() => new(Id, EndpointId, EventId, Type, Status, (int)Attempts, (int?)LastResponseStatus,
            Ms.At(LastAttemptAt), Status == WebhookDelivery.Pending ? Ms.At(NextAttemptAt) : null);
    }
}
