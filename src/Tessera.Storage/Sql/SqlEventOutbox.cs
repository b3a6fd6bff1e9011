using System.Data.Common;
using Dapper;
using Tessera.Core;
using Tessera.Core.Audit;
using Tessera.Core.Events;

namespace Tessera.Storage.Sql;

/// <summary>
/// The outbox (API.md §7, ADR 0015): events written inside the transaction of the change they report, each with one
/// pending delivery per enabled endpoint of its account that receives its type. What commits is delivered; what
/// rolls back never existed. An account without such an endpoint costs one indexed read per change and no row.
/// </summary>
internal static class SqlEventOutbox
{
    /// <summary>The events of <paramref name="entries"/> (those carrying a subject whose action is an event type).</summary>
    public static Task WriteAsync(DbConnection connection, DbTransaction transaction, IEnumerable<AuditEntry> entries,
        CancellationToken cancellationToken) =>
        WriteAsync(connection, transaction, EventsOf(entries), cancellationToken);

    public static async Task<int> WriteAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<OutboxEvent> events,
        CancellationToken cancellationToken)
    {
        var written = 0;
        foreach (var account in events.GroupBy(e => e.AccountId))
        {
            var endpoints = (await connection.QueryAsync<(string Id, string EventTypes)>(new CommandDefinition(
                "SELECT id, event_types FROM webhook_endpoints WHERE account_id = @accountId AND enabled = 1",
                new { accountId = account.Key }, transaction, cancellationToken: cancellationToken))).AsList();
            foreach (var e in account)
            {
                var receivers = endpoints.Where(x => Receives(x.EventTypes, e.Type)).Select(x => x.Id).ToList();
                if (receivers.Count == 0)
                {
                    continue;
                }
                await InsertEventAsync(connection, transaction, e, cancellationToken);
                foreach (var endpointId in receivers)
                {
                    await InsertDeliveryAsync(connection, transaction, e, endpointId, cancellationToken);
                }
                written++;
            }
        }
        return written;
    }

    public static Task InsertEventAsync(DbConnection connection, DbTransaction transaction, OutboxEvent e, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO events (id, account_id, type, occurred_at, data_json) VALUES (@Id, @AccountId, @Type, @At, @Data)",
            new { e.Id, e.AccountId, e.Type, At = Ms.Of(e.At), e.Data }, transaction, cancellationToken: cancellationToken));

    /// <summary>A pending delivery of <paramref name="e"/> to <paramref name="endpointId"/>, due now; returns its id.</summary>
    public static async Task<string> InsertDeliveryAsync(DbConnection connection, DbTransaction transaction, OutboxEvent e, string endpointId,
        CancellationToken cancellationToken)
    {
        var id = Ids.New(Ids.Delivery, e.At);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO webhook_deliveries (id, account_id, endpoint_id, event_id, type, status, attempts, last_response_status,
                last_attempt_at, next_attempt_at, claimed_until, created_at)
            VALUES (@deliveryId, @AccountId, @endpointId, @Id, @Type, 'pending', 0, NULL, NULL, @at, NULL, @at)
            """,
            new { deliveryId = id, e.AccountId, endpointId, e.Id, e.Type, at = Ms.Of(e.At) }, transaction, cancellationToken: cancellationToken));
        return id;
    }

    /// <summary>The stored form of an endpoint's types: <c>*</c>, or the types between spaces (one LIKE finds a type in it).</summary>
    public static string Stored(IReadOnlyList<string> types) =>
        types.Contains(EventTypes.Everything) ? EventTypes.Everything : " " + string.Join(' ', types) + " ";

    public static IReadOnlyList<string> Parse(string stored) =>
        stored == EventTypes.Everything ? [EventTypes.Everything] : stored.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static bool Receives(string stored, string type) =>
        stored == EventTypes.Everything || stored.Contains(" " + type + " ", StringComparison.Ordinal);

    private static List<OutboxEvent> EventsOf(IEnumerable<AuditEntry> entries)
    {
        var events = new List<OutboxEvent>();
        foreach (var entry in entries)
        {
            if (entry is { Subject: { } data, AccountId: { } accountId } && EventTypes.ForAudit(entry.Action) is { } type)
            {
                events.Add(new OutboxEvent(Ids.New(Ids.Event, entry.At), accountId, type, entry.At, data));
            }
        }
        return events;
    }
}
