using System.Buffers;
using System.Text;
using System.Text.Json;
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
            // and re-checks the claim on the row it locked, which may have changed since the inner snapshot. It reads
            // everything an attempt needs, so the claim is this read and one UPDATE of the rows it returned.
            var busy = busyEndpoints.Count == 0 ? "" : $" AND NOT (w.endpoint_id {database.EqualsAny("busy")})";
            var rows = (await connection.QueryAsync<DueRow>(new CommandDefinition(
                $"""
                SELECT d.id, d.account_id, d.endpoint_id, d.event_id, v.type, v.occurred_at, v.data_json, e.url, e.secret,
                    e.previous_secret, e.previous_secret_until, d.attempts
                FROM webhook_deliveries d JOIN events v ON v.id = d.event_id JOIN webhook_endpoints e ON e.id = d.endpoint_id
                WHERE d.id IN (
                    SELECT r.id FROM (
                        SELECT w.id, w.next_attempt_at,
                            ROW_NUMBER() OVER (PARTITION BY w.endpoint_id ORDER BY w.next_attempt_at, w.id) AS lane
                        FROM webhook_deliveries w JOIN webhook_endpoints x ON x.id = w.endpoint_id
                        WHERE w.status = 'pending' AND w.next_attempt_at <= @now AND (w.claimed_until IS NULL OR w.claimed_until <= @now)
                            AND x.enabled = 1{busy}) r
                    WHERE r.lane <= @perEndpoint ORDER BY r.next_attempt_at LIMIT @limit)
                AND d.status = 'pending' AND (d.claimed_until IS NULL OR d.claimed_until <= @now){database.SkipLockedRows}
                """,
                new { now = Ms.Of(now), limit, perEndpoint, busy = busyEndpoints.ToArray() }, transaction, cancellationToken: ct))).AsList();
            if (rows.Count == 0)
            {
                return WriteOutcome.RollBack<IReadOnlyList<DueDelivery>>([]);
            }
            await connection.ExecuteAsync(new CommandDefinition(
                $"UPDATE webhook_deliveries SET claimed_until = @leaseUntil WHERE id {database.EqualsAny("ids")}",
                new { leaseUntil = Ms.Of(leaseUntil), ids = rows.Select(r => r.Id).ToArray() }, transaction, cancellationToken: ct));
            return WriteOutcome.Commit<IReadOnlyList<DueDelivery>>([.. rows.Select(r => r.ToDomain(leaseUntil))]);
        }, cancellationToken);

    /// <summary>
    /// One UPDATE of every delivery of the batch still under its lease (a server whose lease ran out, and whose delivery
    /// another server took meanwhile, records nothing, so the log shows the attempt that counts); then, per endpoint, the
    /// failure streak the recorded attempts leave in the order they ended: a success last clears it (one UPDATE for all
    /// such endpoints); a failure last starts it at the first failure after the last success of the batch, or keeps the
    /// one already running, and disables the endpoint when it began DisableAfter before that last failure.
    /// </summary>
    public Task<IReadOnlyCollection<string>> RecordAttemptsAsync(IReadOnlyList<DeliveryOutcome> outcomes, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction, ct) =>
        {
            if (outcomes.Count == 0)
            {
                return WriteOutcome.RollBack<IReadOnlyCollection<string>>([]);
            }
            var json = JsonRows(outcomes.Select(o => (Action<Utf8JsonWriter>)(w =>
            {
                w.WriteString("did", o.Delivery.Id);
                w.WriteNumber("lease", Ms.Of(o.Delivery.ClaimedUntil));
                w.WriteString("status", o.Succeeded ? WebhookDelivery.Succeeded : o.NextAttemptAt is null ? WebhookDelivery.Failed : WebhookDelivery.Pending);
                if (o.ResponseStatus is { } code)
                {
                    w.WriteNumber("code", code);
                }
                w.WriteNumber("at", Ms.Of(o.At));
                if (o.NextAttemptAt is { } next)
                {
                    w.WriteNumber("next", Ms.Of(next));
                }
            })));
            var source = database.JsonRows("rows", "u", ("did", "text"), ("lease", "bigint"), ("status", "text"), ("code", "bigint"), ("at", "bigint"), ("next", "bigint"));
            var recorded = (await connection.QueryAsync<string>(new CommandDefinition(
                $"""
                UPDATE webhook_deliveries SET status = u.status, attempts = attempts + 1, last_response_status = u.code,
                    last_attempt_at = u.at, next_attempt_at = u.next, claimed_until = NULL
                FROM {source}
                WHERE webhook_deliveries.id = u.did AND webhook_deliveries.claimed_until = u.lease
                RETURNING webhook_deliveries.id
                """,
                new { rows = json }, transaction, cancellationToken: ct))).ToHashSet(StringComparer.Ordinal);
            if (recorded.Count == 0)
            {
                return WriteOutcome.RollBack<IReadOnlyCollection<string>>([]);
            }
            var cleared = new List<string>();
            var disabled = new List<string>();
            foreach (var endpoint in outcomes.Where(o => recorded.Contains(o.Delivery.Id)).OrderBy(o => o.At).GroupBy(o => o.Delivery.EndpointId))
            {
                var attempts = endpoint.ToList();
                var last = attempts[^1];
                if (last.Succeeded)
                {
                    cleared.Add(endpoint.Key);
                    continue;
                }
                var lastSuccess = attempts.FindLastIndex(o => o.Succeeded);
                var firstFailure = attempts[lastSuccess + 1];
                // After a success in this batch the streak starts afresh; otherwise a streak already running is kept.
                await connection.ExecuteAsync(new CommandDefinition(
                    lastSuccess >= 0
                        ? "UPDATE webhook_endpoints SET failing_since = @at WHERE id = @endpointId"
                        : "UPDATE webhook_endpoints SET failing_since = @at WHERE id = @endpointId AND failing_since IS NULL",
                    new { endpointId = endpoint.Key, at = Ms.Of(firstFailure.At) }, transaction, cancellationToken: ct));
                var off = await connection.ExecuteAsync(new CommandDefinition(
                    """
                    UPDATE webhook_endpoints SET enabled = 0, updated_at = @at, version = version + 1
                    WHERE id = @endpointId AND enabled = 1 AND failing_since <= @threshold
                    """,
                    new { endpointId = endpoint.Key, at = Ms.Of(last.At), threshold = Ms.Of(last.DisableIfFailingSince) }, transaction, cancellationToken: ct)) == 1;
                if (off)
                {
                    await SqlAuditStore.WriteAsync(connection, transaction, [last.Disabled], ct);
                    disabled.Add(endpoint.Key);
                }
            }
            if (cleared.Count > 0)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    $"UPDATE webhook_endpoints SET failing_since = NULL WHERE id {database.EqualsAny("cleared")} AND failing_since IS NOT NULL",
                    new { cleared = cleared.ToArray() }, transaction, cancellationToken: ct));
            }
            return WriteOutcome.Commit<IReadOnlyCollection<string>>(disabled);
        }, cancellationToken);

    /// <summary>One UPDATE freeing the deliveries of the batch still under the lease they were claimed with.</summary>
    public Task ReleaseClaimsAsync(IReadOnlyList<DueDelivery> deliveries, CancellationToken cancellationToken) =>
        deliveries.Count == 0
            ? Task.CompletedTask
            : database.WriteAsync(async (connection, transaction, ct) =>
            {
                var json = JsonRows(deliveries.Select(d => (Action<Utf8JsonWriter>)(w =>
                {
                    w.WriteString("did", d.Id);
                    w.WriteNumber("lease", Ms.Of(d.ClaimedUntil));
                })));
                await connection.ExecuteAsync(new CommandDefinition(
                    $"""
                    UPDATE webhook_deliveries SET claimed_until = NULL
                    FROM {database.JsonRows("rows", "u", ("did", "text"), ("lease", "bigint"))}
                    WHERE webhook_deliveries.id = u.did AND webhook_deliveries.claimed_until = u.lease
                    """,
                    new { rows = json }, transaction, cancellationToken: ct));
            }, cancellationToken);

    /// <summary>A JSON array with one object per row, each written by its action.</summary>
    private static string JsonRows(IEnumerable<Action<Utf8JsonWriter>> rows)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var row in rows)
            {
                writer.WriteStartObject();
                row(writer);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

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
