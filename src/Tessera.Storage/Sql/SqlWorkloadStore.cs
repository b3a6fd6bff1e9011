using System.Data.Common;
using System.Text;
using Dapper;
using Tessera.Core.Audit;
using Tessera.Core.Events;
using Tessera.Core.Storage;
using Tessera.Core.Workloads;

namespace Tessera.Storage.Sql;

/// <summary>Workloads on any <see cref="SqlDatabase"/>.</summary>
public sealed class SqlWorkloadStore(SqlDatabase database) : IWorkloadStore
{
    // Token counts come from a workload index of migration 0007 (account_id, workload_id, …, status, expires_at):
    // the state is tested in the index, no token row is read.
    private const string Select = """
        SELECT w.id, w.account_id, w.name, w.description, w.created_at, w.updated_at, w.version,
               (SELECT COUNT(*) FROM query_tokens t WHERE t.account_id = w.account_id AND t.workload_id = w.id) AS token_count,
               (SELECT COUNT(*) FROM query_tokens t WHERE t.account_id = w.account_id AND t.workload_id = w.id
                   AND t.status = 'active' AND t.expires_at > @now) AS usable_token_count
        FROM workloads w
        """;

    public async Task<WorkloadView?> GetWorkloadAsync(string accountId, string workloadId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<WorkloadRow>(new CommandDefinition(
            $"{Select} WHERE w.account_id = @accountId AND w.id = @workloadId",
            new { accountId, workloadId, now = Ms.Of(now) }, cancellationToken: cancellationToken));
        return row?.ToView();
    }

    public async Task<Page<WorkloadView>> ListWorkloadsAsync(string accountId, int limit, ListCursor? after, DateTimeOffset now, CancellationToken cancellationToken,
        IReadOnlyList<string>? only = null)
    {
        var sql = new StringBuilder($"{Select} WHERE w.account_id = @accountId");
        var parameters = new DynamicParameters(new { accountId, now = Ms.Of(now) });
        if (only is not null)
        {
            sql.Append($" AND w.id {database.EqualsAny("only")}");
            parameters.Add("only", only.ToArray());
        }
        Keyset.Page(sql, parameters, "w.name_folded", "w.id", descending: false, after?.Text, after?.Id, limit);
        await using var connection = await database.OpenAsync(cancellationToken);
        return await Keyset.ReadAsync<WorkloadRow, WorkloadView>(connection, sql.ToString(), parameters, limit, r => r.ToView(), cancellationToken);
    }

    public Task<SaveResult> InsertWorkloadAsync(Workload workload, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null) =>
        database.InsertRowAsync(
            """
            INSERT INTO workloads (id, account_id, name, name_folded, description, created_at, updated_at, version)
            VALUES (@Id, @AccountId, @Name, @NameFolded, @Description, @CreatedAt, @UpdatedAt, @Version)
            """,
            Parameters(workload), audit, cancellationToken, NameTaken);

    public Task<SaveResult> UpdateWorkloadAsync(Workload workload, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null) =>
        database.WriteRowAsync(new VersionedRow("workloads", workload.AccountId, workload.Id, workload.Version),
            """
            UPDATE workloads SET name = @Name, name_folded = @NameFolded, description = @Description,
                updated_at = @UpdatedAt, version = @Version + 1
            """,
            Parameters(workload), audit, cancellationToken, NameTaken);

    public Task<SaveResult> DeleteWorkloadAsync(string accountId, string workloadId, DateTimeOffset now, CancellationToken cancellationToken,
        IReadOnlyList<AuditEntry>? audit = null, long? expectedVersion = null) =>
        database.WriteRowAsync(new VersionedRow("workloads", accountId, workloadId, expectedVersion), "DELETE FROM workloads", null, audit,
            cancellationToken, first: async (connection, transaction, ct) =>
            {
                await database.LockWorkloadAsync(connection, transaction, accountId, workloadId, ct);
                // The tokens it unassigns, read in the transaction (which holds the write lock), for their audit entries.
                // Each entry carries the token as the unassignment leaves it, for its token.unassigned event.
                var unassigned = audit?.FirstOrDefault(e => e.Action == AuditActions.WorkloadDeleted) is { } deletion
                    ? (await connection.QueryAsync<SqlTokenStore.TokenRow>(new CommandDefinition(
                        $"SELECT {TokenListSql.Columns} FROM query_tokens t WHERE t.account_id = @accountId AND t.workload_id = @workloadId ORDER BY t.id",
                        new { accountId, workloadId }, transaction, cancellationToken: ct)))
                        .Select(row =>
                        {
                            (row.WorkloadId, row.UpdatedAt, row.Version) = (null, Ms.Of(now), row.Version + 1);
                            return AuditEntry.TokenUnassignedBy(deletion, row.Id).About(EventData.Token(row.ToDomain(), now));
                        }).ToList()
                    : [];
                // The tokens survive, unassigned; their version moves so a stale If-Match cannot reassign them blindly. Undone
                // with the rest when the workload is gone or at another version.
                await connection.ExecuteAsync(new CommandDefinition(
                    """
                    UPDATE query_tokens SET workload_id = NULL, updated_at = @now, version = version + 1
                    WHERE account_id = @accountId AND workload_id = @workloadId
                    """,
                    new { accountId, workloadId, now = Ms.Of(now) }, transaction, cancellationToken: ct));
                return unassigned;
            });

    /// <summary>Another workload of the account with the same name (case-insensitive) breaks the unique index.</summary>
    private SaveResult? NameTaken(DbException e) => database.IsUniqueViolation(e) ? SaveResult.NameTaken : null;

    private static object Parameters(Workload w) => new
    {
        w.Id,
        w.AccountId,
        w.Name,
        NameFolded = w.Name.ToLowerInvariant(),
        w.Description,
        CreatedAt = Ms.Of(w.CreatedAt),
        UpdatedAt = Ms.Of(w.UpdatedAt),
        w.Version,
    };

    private sealed class WorkloadRow
    {
        public string Id { get; set; } = "";
        public string AccountId { get; set; } = "";
        public string Name { get; set; } = "";
        public string Description { get; set; } = "";
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }
        public long Version { get; set; }
        public long TokenCount { get; set; }
        public long UsableTokenCount { get; set; }

        public WorkloadView ToView() => new(
            Workload.Rehydrate(Id, AccountId, Name, Description, Ms.At(CreatedAt), Ms.At(UpdatedAt), Version),
            TokenCount, UsableTokenCount);
    }
}
