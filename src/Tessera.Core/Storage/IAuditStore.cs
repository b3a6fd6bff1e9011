using Tessera.Core.Audit;

namespace Tessera.Core.Storage;

/// <summary>
/// The audit trail. Entries about a change are written by the store that saves the change, in its
/// transaction (the <c>audit</c> parameter of the write methods); this port appends the entries that are
/// not about a change (sign-ins, refused keys), reads and prunes.
/// </summary>
public interface IAuditStore
{
    Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>One account's entries, newest first (instant, then id), keyset-paged.</summary>
    Task<Page<AuditEntry>> ListAsync(string accountId, AuditQuery query, CancellationToken cancellationToken);

    /// <summary>Deletes up to <paramref name="limit"/> of the oldest entries recorded before <paramref name="before"/>; returns how many.</summary>
    Task<int> PruneAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken);
}
