using System.Data.Common;
using Dapper;
using Tessera.Core.Audit;
using Tessera.Core.Storage;

namespace Tessera.Storage.Sql;

/// <summary>The writes of one row that every store makes the same way (ADR 0023): an insert, and a versioned update or delete.</summary>
public abstract partial class SqlDatabase
{
    /// <summary>
    /// Inserts one row with <paramref name="statement"/> and appends <paramref name="audit"/> in the same transaction: Saved; a
    /// constraint the insert broke rolls back with what <paramref name="violation"/> says it is.
    /// </summary>
    internal Task<SaveResult> InsertRowAsync(string statement, object parameters, IEnumerable<AuditEntry>? audit, CancellationToken cancellationToken,
        Func<DbException, SaveResult?> violation) =>
        WriteAsync(async (connection, transaction, ct) =>
        {
            var (_, refused) = await ExecuteAsync(connection, transaction, statement, parameters, violation, ct);
            if (refused is { } result)
            {
                return WriteOutcome.RollBack(result);
            }
            await SqlAuditStore.WriteAsync(connection, transaction, audit, ct);
            return WriteOutcome.Commit(SaveResult.Saved);
        }, cancellationToken);

    /// <summary>
    /// The one versioned write of a row: in a write transaction, runs <paramref name="statement"/> (an <c>UPDATE … SET …</c> or a
    /// <c>DELETE FROM …</c> of <paramref name="row"/>'s table, without WHERE) on that row alone, pinned to its version when it has
    /// one. When the row was written, appends <paramref name="audit"/> and the entries <paramref name="first"/> returned (a step run
    /// before the statement, in the same transaction) and commits: Saved. Otherwise rolls back: VersionConflict when the row is
    /// still in the account at another version, NotFound when not; a constraint the statement broke is what
    /// <paramref name="violation"/> says it is.
    /// </summary>
    internal Task<SaveResult> WriteRowAsync(VersionedRow row, string statement, object? parameters, IEnumerable<AuditEntry>? audit,
        CancellationToken cancellationToken, Func<DbException, SaveResult?>? violation = null,
        Func<DbConnection, DbTransaction, CancellationToken, Task<IEnumerable<AuditEntry>>>? first = null) =>
        WriteAsync(async (connection, transaction, ct) =>
        {
            var more = first is null ? null : await first(connection, transaction, ct);
            var all = new DynamicParameters(parameters);
            all.Add("rowId", row.Id);
            all.Add("rowAccountId", row.AccountId);
            all.Add("rowVersion", row.Version);
            var pinned = row.Version is null ? "" : " AND version = @rowVersion";
            var (written, refused) = await ExecuteAsync(connection, transaction,
                $"{statement} WHERE id = @rowId AND account_id = @rowAccountId{pinned}", all, violation, ct);
            if (refused is { } result)
            {
                return WriteOutcome.RollBack(result);
            }
            if (written == 1)
            {
                await SqlAuditStore.WriteAsync(connection, transaction, more is null ? audit : [.. audit ?? [], .. more], ct);
                return WriteOutcome.Commit(SaveResult.Saved);
            }
            var exists = row.Version is not null && await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                $"SELECT 1 FROM {row.Table} WHERE id = @rowId AND account_id = @rowAccountId", all, transaction, cancellationToken: ct)) is not null;
            return WriteOutcome.RollBack(exists ? SaveResult.VersionConflict : SaveResult.NotFound);
        }, cancellationToken);

    /// <summary>Runs a write statement; a broken constraint that <paramref name="violation"/> knows is answered instead of thrown.</summary>
    private static async Task<(int Written, SaveResult? Refused)> ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql,
        object? parameters, Func<DbException, SaveResult?>? violation, CancellationToken cancellationToken)
    {
        try
        {
            return (await connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken)), null);
        }
        catch (DbException e) when (violation?.Invoke(e) is { } result)
        {
            return (0, result);
        }
    }
}
