using Dapper;
using Tessera.Core.Events;
using Tessera.Core.Tokens;
using Tessera.Core.Webhooks;

namespace Tessera.Storage.Sql;

/// <summary>
/// The delivery worker's side of the webhook tables: claims (a lease per delivery, taken with SKIP LOCKED where
/// several servers share the database), attempt records with the failure streak that disables an endpoint, and the
/// expiry scan's once-only warnings (ADR 0015).
/// </summary>
internal sealed class SqlWebhookQueue(SqlDatabase database)
{
    public Task<IReadOnlyList<DueDelivery>> ClaimDueAsync(DateTimeOffset now, DateTimeOffset leaseUntil, int limit, int perEndpoint,
        IReadOnlyCollection<string> busyEndpoints, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction, ct) =>
        {
            // Numbered within each endpoint, so one endpoint's backlog takes at most perEndpoint of the claim (its lane)
            // and the rest goes to the others. The outer SELECT locks (PostgreSQL: skipping rows another server holds)
            // and re-checks the claim on the row it locked, which may have changed since the inner snapshot.
            var busy = busyEndpoints.Count == 0 ? "" : $" AND NOT (w.endpoint_id {database.EqualsAny("busy")})";
            var ids = (await connection.QueryAsync<string>(new CommandDefinition(
                $"""
                SELECT d.id FROM webhook_deliveries d
                WHERE d.id IN (
                    SELECT r.id FROM (
                        SELECT w.id, w.next_attempt_at,
                            ROW_NUMBER() OVER (PARTITION BY w.endpoint_id ORDER BY w.next_attempt_at, w.id) AS lane
                        FROM webhook_deliveries w JOIN webhook_endpoints e ON e.id = w.endpoint_id
                        WHERE w.status = 'pending' AND w.next_attempt_at <= @now AND (w.claimed_until IS NULL OR w.claimed_until <= @now)
                            AND e.enabled = 1{busy}) r
                    WHERE r.lane <= @perEndpoint ORDER BY r.next_attempt_at LIMIT @limit)
                AND d.status = 'pending' AND (d.claimed_until IS NULL OR d.claimed_until <= @now){database.SkipLockedRows}
                """,
                new { now = Ms.Of(now), limit, perEndpoint, busy = busyEndpoints.ToArray() }, transaction, cancellationToken: ct))).ToArray();
            if (ids.Length == 0)
            {
                return WriteOutcome.RollBack<IReadOnlyList<DueDelivery>>([]);
            }
            await connection.ExecuteAsync(new CommandDefinition(
                $"UPDATE webhook_deliveries SET claimed_until = @leaseUntil WHERE id {database.EqualsAny("ids")}",
                new { leaseUntil = Ms.Of(leaseUntil), ids }, transaction, cancellationToken: ct));
            var rows = await connection.QueryAsync<DueRow>(new CommandDefinition(
                $"""
                SELECT d.id, d.account_id, d.endpoint_id, d.event_id, v.type, v.occurred_at, v.data_json, e.url, e.secret,
                    e.previous_secret, e.previous_secret_until, d.attempts
                FROM webhook_deliveries d JOIN events v ON v.id = d.event_id JOIN webhook_endpoints e ON e.id = d.endpoint_id
                WHERE d.id {database.EqualsAny("ids")}
                """,
                new { ids }, transaction, cancellationToken: ct));
            return WriteOutcome.Commit<IReadOnlyList<DueDelivery>>([.. rows.Select(r => r.ToDomain(leaseUntil))]);
        }, cancellationToken);

    public Task<bool> RecordAttemptAsync(DeliveryOutcome outcome, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction, ct) =>
        {
            var d = outcome.Delivery;
            var status = outcome.Succeeded ? WebhookDelivery.Succeeded : outcome.NextAttemptAt is null ? WebhookDelivery.Failed : WebhookDelivery.Pending;
            // Only under the lease it was claimed with: a server whose lease ran out (and whose delivery another
            // server took meanwhile) records nothing, so the log shows the attempt that counts.
            var rows = await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE webhook_deliveries SET status = @status, attempts = attempts + 1, last_response_status = @ResponseStatus,
                    last_attempt_at = @at, next_attempt_at = @next, claimed_until = NULL
                WHERE id = @Id AND claimed_until = @claimedUntil
                """,
                new
                {
                    status, outcome.ResponseStatus, at = Ms.Of(outcome.At), next = Ms.Of(outcome.NextAttemptAt), d.Id,
                    claimedUntil = Ms.Of(d.ClaimedUntil),
                }, transaction, cancellationToken: ct));
            if (rows != 1)
            {
                return WriteOutcome.RollBack(false);
            }
            if (outcome.Succeeded)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE webhook_endpoints SET failing_since = NULL WHERE id = @EndpointId AND failing_since IS NOT NULL",
                    new { d.EndpointId }, transaction, cancellationToken: ct));
                return WriteOutcome.Commit(false);
            }
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE webhook_endpoints SET failing_since = @at WHERE id = @EndpointId AND failing_since IS NULL",
                new { d.EndpointId, at = Ms.Of(outcome.At) }, transaction, cancellationToken: ct));
            var disabled = await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE webhook_endpoints SET enabled = 0, updated_at = @at, version = version + 1
                WHERE id = @EndpointId AND enabled = 1 AND failing_since <= @threshold
                """,
                new { d.EndpointId, at = Ms.Of(outcome.At), threshold = Ms.Of(outcome.DisableIfFailingSince) }, transaction, cancellationToken: ct)) == 1;
            if (disabled)
            {
                await SqlAuditStore.WriteAsync(connection, transaction, [outcome.Disabled], ct);
            }
            return WriteOutcome.Commit(disabled);
        }, cancellationToken);

    public Task<int> EmitExpiryWarningsAsync(DateTimeOffset now, TimeSpan threshold, TimeSpan? nextThreshold, TimeSpan lookback, int limit,
        Func<QueryToken, OutboxEvent> build, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction, ct) =>
        {
            var window = threshold == TimeSpan.Zero
                ? "t.expires_at <= @now AND t.expires_at > @from"
                : "t.expires_at > @from AND t.expires_at <= @until";
            var from = threshold == TimeSpan.Zero ? now - lookback : now + (nextThreshold ?? TimeSpan.Zero);
            var rows = (await connection.QueryAsync<SqlTokenStore.TokenRow>(new CommandDefinition(
                $"""
                SELECT {TokenListSql.Columns} FROM query_tokens t
                WHERE t.status = 'active' AND {window}
                    AND NOT EXISTS (SELECT 1 FROM token_expiry_warnings w
                                    WHERE w.token_id = t.id AND w.threshold_ms = @thresholdMs AND w.expires_at = t.expires_at)
                ORDER BY t.expires_at LIMIT @limit
                """,
                new { now = Ms.Of(now), from = Ms.Of(from), until = Ms.Of(now + threshold), thresholdMs = (long)threshold.TotalMilliseconds, limit },
                transaction, cancellationToken: ct))).AsList();
            var events = new List<OutboxEvent>(rows.Count);
            foreach (var row in rows)
            {
                // The unique key decides between servers scanning at once: the one whose row lands emits the event.
                var marked = await connection.ExecuteAsync(new CommandDefinition(
                    """
                    INSERT INTO token_expiry_warnings (token_id, threshold_ms, expires_at) VALUES (@Id, @thresholdMs, @ExpiresAt)
                    ON CONFLICT DO NOTHING
                    """,
                    new { row.Id, thresholdMs = (long)threshold.TotalMilliseconds, row.ExpiresAt }, transaction, cancellationToken: ct));
                if (marked == 1)
                {
                    events.Add(build(row.ToDomain()));
                }
            }
            await SqlEventOutbox.WriteAsync(connection, transaction, events, ct);
            return WriteOutcome.Commit(events.Count);
        }, cancellationToken);

    private sealed class DueRow
    {
        public string Id { get; set; } = "";
        public string AccountId { get; set; } = "";
        public string EndpointId { get; set; } = "";
        public string EventId { get; set; } = "";
        public string Type { get; set; } = "";
        public long OccurredAt { get; set; }
        public string DataJson { get; set; } = "";
        public string Url { get; set; } = "";
        public string Secret { get; set; } = "";
        public string? PreviousSecret { get; set; }
        public long? PreviousSecretUntil { get; set; }
        public long Attempts { get; set; }

        public DueDelivery ToDomain(DateTimeOffset claimedUntil) => new(Id, AccountId, EndpointId, EventId, Type, Ms.At(OccurredAt), DataJson, Url,
            Secret, PreviousSecret, Ms.At(PreviousSecretUntil), (int)Attempts, claimedUntil);
    }
}
