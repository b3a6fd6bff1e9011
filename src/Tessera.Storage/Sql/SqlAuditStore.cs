using System.Data.Common;
using System.Text;
using Dapper;
using Tessera.Core.Audit;
using Tessera.Core.Storage;

namespace Tessera.Storage.Sql;

/// <summary>The audit_entries table (migration 0003) on any <see cref="SqlDatabase"/>.</summary>
public sealed class SqlAuditStore(SqlDatabase database) : IAuditStore
{
    private const string Columns =
        "id, account_id, occurred_at, actor_type, actor_id, action, object_id, before_json, after_json, client_ip, actor_email, session_id";

    public Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction, ct) => WriteAsync(connection, transaction, [entry], ct), cancellationToken);

    public async Task<Page<AuditEntry>> ListAsync(string accountId, AuditQuery query, CancellationToken cancellationToken)
    {
        var (sql, parameters) = ListSql(accountId, query);
        await using var connection = await database.OpenForListsAsync(cancellationToken);
        return await Keyset.ReadAsync<AuditRow, AuditEntry>(connection, sql, parameters, query.Limit, r => r.ToDomain(), cancellationToken);
    }

    /// <summary>
    /// One page's SELECT: every filter seeks an index that leads with the account (ix_audit_entries_account, _object,
    /// _action) and runs newest first, so the page is the first rows of one index range (ADR 0012).
    /// </summary>
    internal static (string Sql, DynamicParameters Parameters) ListSql(string accountId, AuditQuery query)
    {
        var sql = new StringBuilder($"SELECT {Columns} FROM audit_entries WHERE account_id = @accountId");
        var parameters = new DynamicParameters();
        parameters.Add("accountId", accountId);
        if (query.ObjectId is not null)
        {
            sql.Append(" AND object_id = @objectId");
            parameters.Add("objectId", query.ObjectId);
        }
        if (query.Action is not null)
        {
            sql.Append(" AND action = @action");
            parameters.Add("action", query.Action);
        }
        if (query.ActorId is not null)
        {
            sql.Append(" AND actor_id = @actorId");
            parameters.Add("actorId", query.ActorId);
        }
        if (query.From is { } from)
        {
            sql.Append(" AND occurred_at >= @from");
            parameters.Add("from", Ms.Of(from));
        }
        if (query.To is { } to)
        {
            sql.Append(" AND occurred_at < @to");
            parameters.Add("to", Ms.Of(to));
        }
        // Newest first: the (account_id, [object_id | action,] occurred_at, id) indexes seek to the position.
        Keyset.Page(sql, parameters, "occurred_at", "id", descending: true, query.After?.Number, query.After?.Id, query.Limit);

        return (sql.ToString(), parameters);
    }

    public async Task<int> PruneAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // A bounded batch, oldest first, so one prune never holds the write lock for long.
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM audit_entries WHERE id IN (
                SELECT id FROM audit_entries WHERE occurred_at < @before ORDER BY occurred_at LIMIT @limit)
            """,
            new { before = Ms.Of(before), limit }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Appends many entries inside the caller's transaction with multi-row statements (a bulk import's batch); their events
    /// go to the outbox in the same transaction, as <see cref="WriteAsync"/>'s do.
    /// </summary>
    internal static async Task WriteManyAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<AuditEntry> entries,
        CancellationToken cancellationToken)
    {
        await SqlRows.InsertAsync(connection, transaction, $"INSERT INTO audit_entries ({Columns})",
            [.. entries.Select(e => new object?[]
            {
                e.Id, e.AccountId, Ms.Of(e.At), e.ActorType, e.ActorId, e.Action, e.ObjectId, e.Before, e.After, e.ClientIp, e.ActorEmail, e.SessionId,
            })],
            cancellationToken);
        await SqlEventOutbox.WriteAsync(connection, transaction, entries, cancellationToken);
    }

    /// <summary>
    /// Appends <paramref name="entries"/> inside the caller's transaction: the stores call this with the change they save.
    /// The events of those entries go to the outbox in the same transaction (API.md §7).
    /// </summary>
    internal static async Task WriteAsync(DbConnection connection, DbTransaction transaction, IEnumerable<AuditEntry>? entries,
        CancellationToken cancellationToken)
    {
        if (entries is null)
        {
            return;
        }
        foreach (var e in entries)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                $"INSERT INTO audit_entries ({Columns}) VALUES (@Id, @AccountId, @At, @ActorType, @ActorId, @Action, @ObjectId, @Before, @After, @ClientIp, @ActorEmail, @SessionId)",
                new { e.Id, e.AccountId, At = Ms.Of(e.At), e.ActorType, e.ActorId, e.Action, e.ObjectId, e.Before, e.After, e.ClientIp, e.ActorEmail, e.SessionId },
                transaction, cancellationToken: cancellationToken));
        }
        await SqlEventOutbox.WriteAsync(connection, transaction, entries, cancellationToken);
    }

    private sealed class AuditRow
    {
        public string Id { get; set; } = "";
        public string? AccountId { get; set; }
        public long OccurredAt { get; set; }
        public string ActorType { get; set; } = "";
        public string? ActorId { get; set; }
        public string Action { get; set; } = "";
        public string? ObjectId { get; set; }
        public string? BeforeJson { get; set; }
        public string? AfterJson { get; set; }
        public string? ClientIp { get; set; }
        public string? ActorEmail { get; set; }
        public string? SessionId { get; set; }

        public AuditEntry ToDomain() =>
            new(Id, AccountId, Ms.At(OccurredAt), ActorType, ActorId, Action, ObjectId, BeforeJson, AfterJson, ClientIp)
            {
                ActorEmail = ActorEmail,
                SessionId = SessionId,
            };
    }
}
