using Dapper;
using Microsoft.Data.Sqlite;
using Tessera.Core.Accounts;
using Tessera.Core.Secrets;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Core.Workloads;
using Tessera.Storage.Sql;

namespace Tessera.Storage.Tests;

/// <summary>
/// SQLite's group commit (ADR 0009): writes queued while the one writer is busy share a COMMIT, at most
/// <see cref="SqliteDatabase.MaxWritesPerCommit"/> at a time; a COMMIT that fails fails every write it carried, and
/// the writer goes on; cancellation removes only a write that has not started; disposing runs what is queued.
/// Each grouping is made certain by holding the writer busy while the writes queue, never by timing.
/// </summary>
public sealed class SqliteGroupCommitTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private TempDatabase _db = null!;
    private Account _account = null!;
    private Workload _workload = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _db = await TempDatabase.CreateMigratedAsync(Ct);
        _account = await _db.AddAccountAsync("Provider", T0, Ct);
        _workload = await _db.AddWorkloadAsync(_account.Id, "Llama", T0, Ct);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task Writes_queued_behind_a_busy_writer_share_commits_of_at_most_the_batch_size()
    {
        var (commits, writes) = (_db.Database.Commits, _db.Database.CommittedWrites);
        var tokens = Enumerable.Range(0, 200).Select(i => NewToken($"user {i}", _workload.Id)).ToList();

        var release = await WriteTests.HoldWriterAsync(_db.Database);
        var inserts = tokens.Select(t => _db.Tokens.InsertTokenAsync(t, Ct)).ToList();
        await release();

        Assert.All(await Task.WhenAll(inserts), r => Assert.Equal(SaveResult.Saved, r));
        Assert.Equal(128, SqliteDatabase.MaxWritesPerCommit);
        // The holding write alone, then 128 and 72.
        Assert.Equal(3, _db.Database.Commits - commits);
        Assert.Equal(201, _db.Database.CommittedWrites - writes);
        Assert.Equal(200, (await _db.Tokens.ListTokensAsync(_account.Id, new TokenQuery { Now = T0, Limit = 200 }, Ct)).Items.Count);
    }

    [Fact]
    public async Task A_failed_commit_fails_every_write_of_its_batch_and_the_next_batch_commits()
    {
        var before = NewToken("before", _workload.Id);
        var orphan = NewToken("for a missing workload", "wl_0123456789abcdef0123456789abcdef");
        var after = NewToken("after", _workload.Id);
        var commits = _db.Database.Commits;

        var release = await WriteTests.HoldWriterAsync(_db.Database);
        var first = _db.Tokens.InsertTokenAsync(before, Ct);
        // A deferred foreign key is checked by COMMIT, not by the statement: this write succeeds, the COMMIT does not.
        var deferred = _db.Database.WriteAsync(async (connection, transaction, ct) =>
        {
            await connection.ExecuteAsync(new CommandDefinition("PRAGMA defer_foreign_keys = ON", transaction: transaction, cancellationToken: ct));
            await WriteTests.InsertRowAsync(connection, transaction, orphan, ct);
            return WriteOutcome.Commit(true);
        }, Ct);
        var last = _db.Tokens.InsertTokenAsync(after, Ct);
        var rolledBack = _db.Database.WriteAsync((_, _, _) => Task.FromResult(WriteOutcome.RollBack("discarded")), Ct);
        await release();

        // Every write of the batch hears of the failure, the one that asked to roll back too.
        foreach (var write in new Task[] { first, deferred, last, rolledBack })
        {
            var failure = await Assert.ThrowsAsync<SqliteException>(() => write);
            Assert.True(_db.Database.IsForeignKeyViolation(failure), failure.Message);
        }
        Assert.Equal(1, _db.Database.Commits - commits); // the holding write's
        foreach (var token in new[] { before, orphan, after })
        {
            Assert.Null(await _db.Tokens.GetTokenAsync(_account.Id, token.Id, Ct));
        }

        // The writer carries on (on a reopened connection).
        var next = NewToken("next", _workload.Id);
        Assert.Equal(SaveResult.Saved, await _db.Tokens.InsertTokenAsync(next, Ct));
        Assert.NotNull(await _db.Tokens.GetTokenAsync(_account.Id, next.Id, Ct));
    }

    [Fact]
    public async Task A_refused_write_is_answered_once_the_write_that_beat_it_is_committed()
    {
        var token = await _db.AddTokenAsync(_account.Id, "Alice", _workload.Id, T0, Ct);
        var first = QueryToken.Rehydrate(token.Id, token.AccountId, "first", token.Note, token.WorkloadId, token.Status, token.Hash, token.Hint,
            token.CreatedAt, T0.AddMinutes(1), token.ExpiresAt, null, 0, token.Version);
        var second = QueryToken.Rehydrate(token.Id, token.AccountId, "second", token.Note, token.WorkloadId, token.Status, token.Hash, token.Hint,
            token.CreatedAt, T0.AddMinutes(1), token.ExpiresAt, null, 0, token.Version);

        var release = await WriteTests.HoldWriterAsync(_db.Database);
        var winner = _db.Tokens.UpdateTokenAsync(first, Ct);
        var loser = _db.Tokens.UpdateTokenAsync(second, Ct);
        await release();

        // The loser retries by reading again: it must find the version that beat it, not the one before.
        Assert.Equal(SaveResult.VersionConflict, await loser);
        Assert.Equal(("first", token.Version + 1), await _db.Tokens.GetTokenAsync(_account.Id, token.Id, Ct) is { } stored
            ? (stored.Name, stored.Version)
            : default);
        Assert.Equal(SaveResult.Saved, await winner);
    }

    [Fact]
    public async Task A_write_cancelled_while_queued_never_runs_and_one_already_started_reports_its_outcome()
    {
        var skipped = NewToken("cancelled while queued", _workload.Id);
        var started = NewToken("cancelled once started", _workload.Id);
        using var cancelQueued = new CancellationTokenSource();
        using var cancelStarted = new CancellationTokenSource();
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var proceed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var release = await WriteTests.HoldWriterAsync(_db.Database);
        var queued = _db.Tokens.InsertTokenAsync(skipped, cancelQueued.Token);
        var late = _db.Database.WriteAsync(async (connection, transaction, ct) =>
        {
            running.SetResult();
            await proceed.Task.WaitAsync(Ct);
            await WriteTests.InsertRowAsync(connection, transaction, started, ct);
            return WriteOutcome.Commit(SaveResult.Saved);
        }, cancelStarted.Token);
        await cancelQueued.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued); // answered at once, the writer still held

        await release();
        await running.Task.WaitAsync(Ct);
        await cancelStarted.CancelAsync();
        proceed.SetResult();

        Assert.Equal(SaveResult.Saved, await late);
        Assert.NotNull(await _db.Tokens.GetTokenAsync(_account.Id, started.Id, Ct));
        Assert.Null(await _db.Tokens.GetTokenAsync(_account.Id, skipped.Id, Ct));
    }

    [Fact]
    public async Task Disposing_runs_the_queued_writes_then_refuses_new_ones()
    {
        var tokens = Enumerable.Range(0, 3).Select(i => NewToken($"queued {i}", _workload.Id)).ToList();

        var release = await WriteTests.HoldWriterAsync(_db.Database);
        var inserts = tokens.Select(t => _db.Tokens.InsertTokenAsync(t, Ct)).ToList();
        var disposing = _db.Database.DisposeAsync();
        await release();
        await disposing;

        Assert.All(await Task.WhenAll(inserts), r => Assert.Equal(SaveResult.Saved, r));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => _db.Tokens.InsertTokenAsync(NewToken("too late", _workload.Id), Ct));
        foreach (var token in tokens)
        {
            Assert.NotNull(await _db.Tokens.GetTokenAsync(_account.Id, token.Id, Ct)); // reads still work
        }
    }

    [Fact]
    public async Task The_writer_connection_is_durable_wal_with_synchronous_full_and_foreign_keys()
    {
        var settings = await _db.Database.WriteAsync(async (connection, transaction, ct) => WriteOutcome.RollBack((
            await connection.ExecuteScalarAsync<string>(new CommandDefinition("PRAGMA journal_mode", transaction: transaction, cancellationToken: ct)),
            await connection.ExecuteScalarAsync<long>(new CommandDefinition("PRAGMA synchronous", transaction: transaction, cancellationToken: ct)),
            await connection.ExecuteScalarAsync<long>(new CommandDefinition("PRAGMA foreign_keys", transaction: transaction, cancellationToken: ct)),
            await connection.ExecuteScalarAsync<long>(new CommandDefinition("PRAGMA temp_store", transaction: transaction, cancellationToken: ct)))), Ct);

        Assert.Equal(("wal", 2L, 1L, 2L), settings); // synchronous 2 = FULL; temp_store 2 = MEMORY (savepoint journals only)
    }

    [Fact]
    public async Task Every_reader_connection_has_the_settings_each_time_it_comes_from_the_pool()
    {
        // Settings are made once per pooled connection: each open, a new one or one back from the pool, must have them.
        for (var i = 0; i < 3; i++)
        {
            await using var connection = await _db.Database.OpenAsync(Ct);
            var settings = (
                await connection.ExecuteScalarAsync<long>("PRAGMA foreign_keys"),
                await connection.ExecuteScalarAsync<long>("PRAGMA synchronous"),
                await connection.ExecuteScalarAsync<long>("PRAGMA busy_timeout"),
                await connection.ExecuteScalarAsync<long>("PRAGMA cache_size"));
            Assert.Equal((1L, 2L, 10_000L, -512L), settings);
        }
    }

    private QueryToken NewToken(string name, string workloadId) =>
        QueryToken.Issue(_account.Id, name, "", workloadId, SecretFormat.Generate(SecretKind.QueryToken), T0, TempDatabase.Lifetime);
}
