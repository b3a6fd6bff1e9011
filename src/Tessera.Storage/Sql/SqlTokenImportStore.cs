using System.Data.Common;
using Dapper;
using Tessera.Core.Audit;
using Tessera.Core.Imports;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;

namespace Tessera.Storage.Sql;

/// <summary>
/// Bulk imports on any <see cref="SqlDatabase"/>: a batch is one transaction (tokens, their import rows, their audit
/// entries), so a crash leaves whole batches only. On SQLite the batch is one write of the group commit.
/// </summary>
public sealed class SqlTokenImportStore(SqlDatabase database) : ITokenImportStore
{
    public Task<SaveResult> InsertBatchAsync(TokenImport import, bool claim, IReadOnlyList<(int Row, QueryToken Token)> tokens,
        IReadOnlyList<AuditEntry> audit, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction, ct) =>
        {
            try
            {
                if (claim)
                {
                    await connection.ExecuteAsync(new CommandDefinition(
                        """
                        INSERT INTO token_imports (account_id, idem_key, id, created_at, row_count)
                        VALUES (@AccountId, @IdempotencyKey, @Id, @CreatedAt, @RowCount)
                        """,
                        new { import.AccountId, import.IdempotencyKey, import.Id, CreatedAt = Ms.Of(import.CreatedAt), import.RowCount },
                        transaction, cancellationToken: ct));
                }
                await SqlRows.InsertAsync(connection, transaction,
                    "INSERT INTO query_tokens (id, account_id, workload_id, name, name_folded, note, status, token_hash, hint, created_at, updated_at, expires_at, version)",
                    [.. tokens.Select(t => TokenValues(t.Token))], ct);
                await SqlRows.InsertAsync(connection, transaction, "INSERT INTO token_import_rows (import_id, row_no, token_id)",
                    [.. tokens.Select(t => new object?[] { import.Id, t.Row, t.Token.Id })], ct);
            }
            catch (DbException e) when (claim && database.IsUniqueViolation(e))
            {
                return WriteOutcome.RollBack(SaveResult.KeyTaken);
            }
            catch (DbException e) when (database.IsForeignKeyViolation(e))
            {
                return WriteOutcome.RollBack(SaveResult.WorkloadMissing);
            }
            await SqlAuditStore.WriteManyAsync(connection, transaction, audit, ct);
            return WriteOutcome.Commit(SaveResult.Saved);
        }, cancellationToken);

    /// <summary>A new token's columns, as POST /v1/tokens writes them (use count 0, never used).</summary>
    private static object?[] TokenValues(QueryToken t) =>
    [
        t.Id, t.AccountId, t.WorkloadId, t.Name, t.Name.ToLowerInvariant(), t.Note, TokenNames.Of(t.Status), t.Hash.ToArray(), t.Hint,
        Ms.Of(t.CreatedAt), Ms.Of(t.UpdatedAt), Ms.Of(t.ExpiresAt), t.Version,
    ];

    public async Task<TokenImport?> FindAsync(string accountId, string idempotencyKey, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Id, long CreatedAt, long RowCount)>(new CommandDefinition(
            "SELECT id, created_at, row_count FROM token_imports WHERE account_id = @accountId AND idem_key = @idempotencyKey",
            new { accountId, idempotencyKey }, cancellationToken: cancellationToken));
        return rows.Select(r => new TokenImport(r.Id, accountId, idempotencyKey, Ms.At(r.CreatedAt), (int)r.RowCount)).FirstOrDefault();
    }

    public async Task<IReadOnlyList<ImportedRow>> RowsAsync(string importId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long Row, string TokenId)>(new CommandDefinition(
            "SELECT row_no, token_id FROM token_import_rows WHERE import_id = @importId ORDER BY row_no",
            new { importId }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new ImportedRow((int)r.Row, r.TokenId))];
    }
}
