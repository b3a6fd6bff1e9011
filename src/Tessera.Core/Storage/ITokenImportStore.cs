using Tessera.Core.Audit;
using Tessera.Core.Imports;
using Tessera.Core.Tokens;

namespace Tessera.Core.Storage;

/// <summary>Bulk imports (API.md §10): batches of new tokens, each committed whole, and what a replay answers.</summary>
public interface ITokenImportStore
{
    /// <summary>
    /// Inserts <paramref name="tokens"/> (row number, token) with their <paramref name="audit"/> entries in one transaction.
    /// With <paramref name="claim"/> (the first batch) the import's row is written in it too: KeyTaken when another
    /// import already holds its Idempotency-Key, WorkloadMissing when a workload was deleted meanwhile; nothing is kept then.
    /// </summary>
    Task<SaveResult> InsertBatchAsync(TokenImport import, bool claim, IReadOnlyList<(int Row, QueryToken Token)> tokens,
        IReadOnlyList<AuditEntry> audit, CancellationToken cancellationToken);

    /// <summary>The import under this key in the account, or null.</summary>
    Task<TokenImport?> FindAsync(string accountId, string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>The rows of an import committed so far, in row order.</summary>
    Task<IReadOnlyList<ImportedRow>> RowsAsync(string importId, CancellationToken cancellationToken);
}
