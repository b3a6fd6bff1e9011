using System.Data.Common;
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
        var keyset = after is null ? "" : "AND (w.name_folded > @afterName OR (w.name_folded = @afterName AND w.id > @afterId))";
        var parameters = new DynamicParameters(new { accountId, now = Ms.Of(now), afterName = after?.Text, afterId = after?.Id, take = limit + 1 });
        if (only is not null)
        {
            keyset += $" AND w.id {database.EqualsAny("only")}";
            parameters.Add("only", only.ToArray());
        }
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = (await connection.QueryAsync<WorkloadRow>(new CommandDefinition(
            $"{Select} WHERE w.account_id = @accountId {keyset} ORDER BY w.name_folded, w.id LIMIT @take",
            parameters, cancellationToken: cancellationToken))).ToList();
        var hasMore = rows.Count > limit;
        return new Page<WorkloadView>([.. rows.Take(limit).Select(r => r.ToView())], hasMore);
    }

    public Task<SaveResult> InsertWorkloadAsync(Workload workload, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null) =>
        database.WriteAsync(async (connection, transaction, ct) =>
        {
            try
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    """
                    INSERT INTO workloads (id, account_id, name, name_folded, description, created_at, updated_at, version)
                    VALUES (@Id, @AccountId, @Name, @NameFolded, @Description, @CreatedAt, @UpdatedAt, @Version)
                    """,
                    Parameters(workload), transaction, cancellationToken: ct));
            }
            catch (DbException e) when (database.IsUniqueViolation(e))
            {
                return WriteOutcome.RollBack(SaveResult.NameTaken);
            }
            await SqlAuditStore.WriteAsync(connection, transaction, audit, ct);
            return WriteOutcome.Commit(SaveResult.Saved);
        }, cancellationToken);

    public Task<SaveResult> UpdateWorkloadAsync(Workload workload, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null) =>
        database.WriteAsync(async (connection, transaction, ct) =>
        {
            try
            {
                var rows = await connection.ExecuteAsync(new CommandDefinition(
                    """
                    UPDATE workloads SET name = @Name, name_folded = @NameFolded, description = @Description,
                        updated_at = @UpdatedAt, version = @Version + 1
                    WHERE id = @Id AND account_id = @AccountId AND version = @Version
                    """,
                    Parameters(workload), transaction, cancellationToken: ct));
                if (rows == 1)
                {
                    await SqlAuditStore.WriteAsync(connection, transaction, audit, ct);
                    return WriteOutcome.Commit(SaveResult.Saved);
                }
            }
            catch (DbException e) when (database.IsUniqueViolation(e))
            {
                return WriteOutcome.RollBack(SaveResult.NameTaken);
            }
            var exists = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                "SELECT 1 FROM workloads WHERE id = @Id AND account_id = @AccountId", new { workload.Id, workload.AccountId },
                transaction, cancellationToken: ct));
            return WriteOutcome.RollBack(exists is null ? SaveResult.NotFound : SaveResult.VersionConflict);
        }, cancellationToken);

    public Task<SaveResult> DeleteWorkloadAsync(string accountId, string workloadId, DateTimeOffset now, CancellationToken cancellationToken,
        IReadOnlyList<AuditEntry>? audit = null) =>
        database.WriteAsync(async (connection, transaction, ct) =>
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
            // The tokens survive, unassigned; their version moves so a stale If-Match cannot reassign them blindly.
            await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE query_tokens SET workload_id = NULL, updated_at = @now, version = version + 1
                WHERE account_id = @accountId AND workload_id = @workloadId
                """,
                new { accountId, workloadId, now = Ms.Of(now) }, transaction, cancellationToken: ct));
            var deleted = await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM workloads WHERE account_id = @accountId AND id = @workloadId",
                new { accountId, workloadId }, transaction, cancellationToken: ct));
            if (deleted != 1)
            {
                return WriteOutcome.RollBack(SaveResult.NotFound);
            }
            await SqlAuditStore.WriteAsync(connection, transaction, audit, ct);
            await SqlAuditStore.WriteAsync(connection, transaction, unassigned, ct);
            return WriteOutcome.Commit(SaveResult.Saved);
        }, cancellationToken);

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
