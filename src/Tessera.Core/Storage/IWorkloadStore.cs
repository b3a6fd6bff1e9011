using Tessera.Core.Audit;
using Tessera.Core.Workloads;

namespace Tessera.Core.Storage;

/// <summary>Workloads, always within one account. Writes append their <c>audit</c> entries in their own transaction, only when they save.</summary>
public interface IWorkloadStore
{
    Task<WorkloadView?> GetWorkloadAsync(string accountId, string workloadId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Workloads by name (case-insensitive, A→Z), keyset-paged; with <paramref name="only"/>, just those (a workload-bound key's view).</summary>
    Task<Page<WorkloadView>> ListWorkloadsAsync(string accountId, int limit, ListCursor? after, DateTimeOffset now, CancellationToken cancellationToken,
        IReadOnlyList<string>? only = null);

    Task<SaveResult> InsertWorkloadAsync(Workload workload, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null);

    /// <summary>Saves the workload if its stored version is still <see cref="VersionedEntity.Version"/>.</summary>
    Task<SaveResult> UpdateWorkloadAsync(Workload workload, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null);

    /// <summary>
    /// Deletes the workload and unassigns its tokens in one transaction; with <c>audit</c>, also appends one
    /// <see cref="AuditEntry.TokenUnassignedBy"/> entry per token it unassigned. With <paramref name="expectedVersion"/>, only if
    /// the stored version matches (VersionConflict otherwise).
    /// </summary>
    Task<SaveResult> DeleteWorkloadAsync(string accountId, string workloadId, DateTimeOffset now, CancellationToken cancellationToken,
        IReadOnlyList<AuditEntry>? audit = null, long? expectedVersion = null);
}
