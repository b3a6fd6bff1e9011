using Microsoft.Extensions.DependencyInjection;
using Tessera.Core.Audit;
using Tessera.Core.Secrets;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Core.Workloads;
using Tessera.Storage.Sql;

namespace Tessera.Server.Tests.Lattica;

/// <summary>
/// The real SQL token and workload stores (on whichever database the server uses), with one handle: the next
/// read of a list page after the first (a keyset read with a cursor) can be held until the test releases it,
/// so a test can see what the client has received while the server is between two pages.
/// </summary>
public sealed class ListGate
{
    private TaskCompletionSource? _reached;
    private TaskCompletionSource? _release;

    /// <summary>Registers the gated stores in place of the real ones.</summary>
    public void ReplaceIn(IServiceCollection services)
    {
        services.AddSingleton<ITokenStore>(sp => new Tokens(this, new SqlTokenStore(sp.GetRequiredService<SqlDatabase>())));
        services.AddSingleton<IWorkloadStore>(sp => new Workloads(this, new SqlWorkloadStore(sp.GetRequiredService<SqlDatabase>())));
    }

    /// <summary>
    /// Holds the next read of a second or later page until <see cref="Release"/>; the returned task completes
    /// when that read has been asked for (and is waiting).
    /// </summary>
    public Task HoldNextLaterPage()
    {
        _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _reached, reached);
        return reached.Task;
    }

    public void Release() => _release?.TrySetResult();

    private async Task PassAsync(bool laterPage, CancellationToken cancellationToken)
    {
        if (laterPage && Interlocked.Exchange(ref _reached, null) is { } reached)
        {
            reached.TrySetResult();
            await _release!.Task.WaitAsync(cancellationToken);
        }
    }

    private sealed class Tokens(ListGate gate, ITokenStore inner) : ITokenStore
    {
        public async Task<Page<QueryToken>> ListTokensAsync(string accountId, TokenQuery query, CancellationToken cancellationToken)
        {
            await gate.PassAsync(query.After is not null, cancellationToken);
            return await inner.ListTokensAsync(accountId, query, cancellationToken);
        }

        public Task<QueryToken?> GetTokenAsync(string accountId, string tokenId, CancellationToken cancellationToken) =>
            inner.GetTokenAsync(accountId, tokenId, cancellationToken);

        public Task<TokenMatch?> FindTokenAsync(SecretHash hash, CancellationToken cancellationToken) => inner.FindTokenAsync(hash, cancellationToken);

        public Task<IReadOnlyList<TokenMatch>> FindTokensAsync(IReadOnlyCollection<SecretHash> hashes, CancellationToken cancellationToken) =>
            inner.FindTokensAsync(hashes, cancellationToken);

        public Task<SaveResult> InsertTokenAsync(QueryToken token, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null) =>
            inner.InsertTokenAsync(token, cancellationToken, audit);

        public Task<SaveResult> UpdateTokenAsync(QueryToken token, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null) =>
            inner.UpdateTokenAsync(token, cancellationToken, audit);

        public Task<SaveResult> DeleteTokenAsync(string accountId, string tokenId, long? expectedVersion, CancellationToken cancellationToken,
            IReadOnlyList<AuditEntry>? audit = null) =>
            inner.DeleteTokenAsync(accountId, tokenId, expectedVersion, cancellationToken, audit);

        public Task RecordUsageAsync(IReadOnlyList<TokenUsage> usages, CancellationToken cancellationToken) => inner.RecordUsageAsync(usages, cancellationToken);
    }

    private sealed class Workloads(ListGate gate, IWorkloadStore inner) : IWorkloadStore
    {
        public async Task<Page<WorkloadView>> ListWorkloadsAsync(string accountId, int limit, ListCursor? after, DateTimeOffset now,
            CancellationToken cancellationToken, IReadOnlyList<string>? only = null)
        {
            await gate.PassAsync(after is not null, cancellationToken);
            return await inner.ListWorkloadsAsync(accountId, limit, after, now, cancellationToken, only);
        }

        public Task<WorkloadView?> GetWorkloadAsync(string accountId, string workloadId, DateTimeOffset now, CancellationToken cancellationToken) =>
            inner.GetWorkloadAsync(accountId, workloadId, now, cancellationToken);

        public Task<SaveResult> InsertWorkloadAsync(Workload workload, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null) =>
            inner.InsertWorkloadAsync(workload, cancellationToken, audit);

        public Task<SaveResult> UpdateWorkloadAsync(Workload workload, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null) =>
            inner.UpdateWorkloadAsync(workload, cancellationToken, audit);

        public Task<SaveResult> DeleteWorkloadAsync(string accountId, string workloadId, DateTimeOffset now, CancellationToken cancellationToken,
            IReadOnlyList<AuditEntry>? audit = null, long? expectedVersion = null) =>
            inner.DeleteWorkloadAsync(accountId, workloadId, now, cancellationToken, audit, expectedVersion);
    }
}
