using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Core.Audit;
using Tessera.Core.Secrets;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Storage.Sql;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// The real SQL token store and change feed, with two handles for tests: the query side's lookups can
/// be held after they have read (to widen a race on purpose) and both can be made to fail as if the
/// database were unreachable. Everything else passes straight through to the real database.
/// </summary>
public sealed class ControlledStore
{
    private TaskCompletionSource? _armed;
    private volatile TaskCompletionSource? _held;
    private volatile TaskCompletionSource? _release;
    private int _lookups;

    /// <summary>While true, every call fails with the exception the database driver throws when unreachable.</summary>
    public volatile bool Unreachable;

    /// <summary>
    /// While true, the change feed answers "nothing new" (as if no other server existed), so a test can
    /// prove what this server does on its own without the feed covering for it.
    /// </summary>
    public volatile bool FeedStalled;

    /// <summary>How many more usage writes succeed before each one fails (as a timed-out database would); unlimited by default.</summary>
    public int UsageWritesBeforeFailure = int.MaxValue;

    /// <summary>How many times the query side looked a hash up in the store.</summary>
    public int Lookups => Volatile.Read(ref _lookups);

    /// <summary>Registers the controlled store and feed in place of the real ones.</summary>
    public void ReplaceIn(IServiceCollection services)
    {
        services.AddSingleton<ITokenStore>(sp => new Store(this, new SqlTokenStore(sp.GetRequiredService<SqlDatabase>())));
        services.AddSingleton<ITokenChangeFeed>(sp => new Feed(this, new SqlTokenChangeFeed(sp.GetRequiredService<SqlDatabase>())));
    }

    /// <summary>The next lookup reads the store, then waits; the returned task completes once it has read.</summary>
    public Task HoldNextLookupAfterReading()
    {
        _held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _armed, _release);
        return _held.Task;
    }

    public void ReleaseLookup() => _release?.TrySetResult();

    private void ThrowIfUnreachable()
    {
        if (Unreachable)
        {
            throw new SqliteException("injected: the database is unreachable", 14); // SQLITE_CANTOPEN
        }
    }

    private sealed class Store(ControlledStore control, ITokenStore inner) : ITokenStore
    {
        public async Task<TokenMatch?> FindTokenAsync(SecretHash hash, CancellationToken cancellationToken)
        {
            control.ThrowIfUnreachable();
            Interlocked.Increment(ref control._lookups);
            var match = await inner.FindTokenAsync(hash, cancellationToken);
            if (Interlocked.Exchange(ref control._armed, null) is { } release)
            {
                control._held!.TrySetResult();
                await release.Task.WaitAsync(cancellationToken);
            }
            return match;
        }

        public Task<IReadOnlyList<TokenMatch>> FindTokensAsync(IReadOnlyCollection<SecretHash> hashes, CancellationToken cancellationToken) =>
            Pass(() => inner.FindTokensAsync(hashes, cancellationToken));

        public Task<QueryToken?> GetTokenAsync(string accountId, string tokenId, CancellationToken cancellationToken) =>
            Pass(() => inner.GetTokenAsync(accountId, tokenId, cancellationToken));

        public Task<Page<QueryToken>> ListTokensAsync(string accountId, TokenQuery query, CancellationToken cancellationToken) =>
            Pass(() => inner.ListTokensAsync(accountId, query, cancellationToken));

        public Task<SaveResult> InsertTokenAsync(QueryToken token, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null) =>
            Pass(() => inner.InsertTokenAsync(token, cancellationToken, audit));

        public Task<SaveResult> UpdateTokenAsync(QueryToken token, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null) =>
            Pass(() => inner.UpdateTokenAsync(token, cancellationToken, audit));

        public Task<SaveResult> DeleteTokenAsync(string accountId, string tokenId, long? expectedVersion, CancellationToken cancellationToken,
            IReadOnlyList<AuditEntry>? audit = null) =>
            Pass(() => inner.DeleteTokenAsync(accountId, tokenId, expectedVersion, cancellationToken, audit));

        public Task RecordUsageAsync(IReadOnlyList<TokenUsage> usages, CancellationToken cancellationToken) =>
            Interlocked.Decrement(ref control.UsageWritesBeforeFailure) < 0
                ? throw new TimeoutException("The controlled store refuses this usage write.")
                : Pass(() => inner.RecordUsageAsync(usages, cancellationToken));

        private Task<T> Pass<T>(Func<Task<T>> call)
        {
            control.ThrowIfUnreachable();
            return call();
        }

        private Task Pass(Func<Task> call)
        {
            control.ThrowIfUnreachable();
            return call();
        }
    }

    private sealed class Feed(ControlledStore control, ITokenChangeFeed inner) : ITokenChangeFeed
    {
        public Task<long> LatestPositionAsync(CancellationToken cancellationToken)
        {
            control.ThrowIfUnreachable();
            return inner.LatestPositionAsync(cancellationToken);
        }

        public Task<IReadOnlyList<TokenChange>> ReadAfterAsync(long position, int limit, CancellationToken cancellationToken)
        {
            control.ThrowIfUnreachable();
            return control.FeedStalled ? Task.FromResult<IReadOnlyList<TokenChange>>([]) : inner.ReadAfterAsync(position, limit, cancellationToken);
        }

        public Task<IReadOnlyList<TokenChange>> ReadAtAsync(IReadOnlyCollection<long> positions, CancellationToken cancellationToken)
        {
            control.ThrowIfUnreachable();
            return control.FeedStalled ? Task.FromResult<IReadOnlyList<TokenChange>>([]) : inner.ReadAtAsync(positions, cancellationToken);
        }

        public Task<long> PrunedThroughAsync(CancellationToken cancellationToken)
        {
            control.ThrowIfUnreachable();
            return inner.PrunedThroughAsync(cancellationToken);
        }

        public Task<int> PruneAsync(TimeSpan retention, CancellationToken cancellationToken)
        {
            control.ThrowIfUnreachable();
            return inner.PruneAsync(retention, cancellationToken);
        }
    }
}
