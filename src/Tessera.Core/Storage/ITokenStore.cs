using Tessera.Core.Audit;
using Tessera.Core.Secrets;
using Tessera.Core.Tokens;

namespace Tessera.Core.Storage;

/// <summary>
/// Query tokens: a handful of filter-based reads and version-checked writes. A write given <c>audit</c>
/// entries appends them in its own transaction, and only when it saves (ADR 0008).
/// </summary>
public interface ITokenStore
{
    Task<QueryToken?> GetTokenAsync(string accountId, string tokenId, CancellationToken cancellationToken);

    /// <summary>The token whose secret has this hash, in any account (the query side's lookup).</summary>
    Task<TokenMatch?> FindTokenAsync(SecretHash hash, CancellationToken cancellationToken);

    /// <summary>The tokens whose secrets have these hashes, in any account (the query side re-reading what it remembers).</summary>
    Task<IReadOnlyList<TokenMatch>> FindTokensAsync(IReadOnlyCollection<SecretHash> hashes, CancellationToken cancellationToken);

    Task<Page<QueryToken>> ListTokensAsync(string accountId, TokenQuery query, CancellationToken cancellationToken);

    /// <summary>Inserts a new token; WorkloadMissing when its workload is not in the account.</summary>
    Task<SaveResult> InsertTokenAsync(QueryToken token, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null);

    /// <summary>Saves the token if its stored version is still <see cref="VersionedEntity.Version"/>.</summary>
    Task<SaveResult> UpdateTokenAsync(QueryToken token, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null);

    /// <summary>Deletes the token; with <paramref name="expectedVersion"/>, only if the stored version matches.</summary>
    Task<SaveResult> DeleteTokenAsync(string accountId, string tokenId, long? expectedVersion, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null);

    /// <summary>
    /// Adds each entry's uses to its token's use count and moves lastUsedAt forward, in one transaction;
    /// does not change versions. Tokens deleted meanwhile are skipped.
    /// </summary>
    Task RecordUsageAsync(IReadOnlyList<TokenUsage> usages, CancellationToken cancellationToken);
}
