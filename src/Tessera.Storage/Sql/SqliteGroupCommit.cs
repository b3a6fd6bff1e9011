using System.Data.Common;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Tessera.Storage.Sql;

/// <summary>
/// Group commit for SQLite (ADR 0009). Every store write of this process is queued here and run by one loop on
/// one connection: it takes the writes queued so far (at most <see cref="MaxBatch"/>), runs them one after another
/// in one BEGIN IMMEDIATE transaction, each inside its own SAVEPOINT, and COMMITs once. With synchronous=FULL a
/// COMMIT costs an fsync, so writes that queued up while the previous COMMIT was on disk share the next one.
/// </summary>
/// <remarks>
/// A write that throws or asks to roll back loses only its own changes (ROLLBACK TO its savepoint). Callers hear
/// only once the batch has ended: after the COMMIT, each its own value or exception. If BEGIN, a savepoint or the
/// COMMIT fails, every write of the batch fails with that error: nothing is acknowledged that is not durable, and
/// no refusal stands that an uncommitted write caused. The connection is then reopened for the next batch.
/// </remarks>
internal sealed class SqliteGroupCommit : IAsyncDisposable
{
    /// <summary>Most writes one COMMIT carries, so the first of them does not wait behind an unbounded queue.</summary>
    public const int MaxBatch = 128;

    // Run as statements of their own rather than with SqliteTransaction.Save and friends, which compile them at each use:
    // on the writer's connection (SqliteWriterConnection) they stay compiled.
    private const string Save = "SAVEPOINT write", RollBackToSaved = "ROLLBACK TO write", Release = "RELEASE write";

    private readonly Func<Task<SqliteConnection>> _open;
    private readonly Action<int> _committed;
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;
    private SqliteConnection? _connection;

    /// <param name="open">Opens the writer's connection (configured: synchronous=FULL, busy_timeout).</param>
    /// <param name="committed">Told the number of writes each COMMIT carried.</param>
    public SqliteGroupCommit(Func<Task<SqliteConnection>> open, Action<int> committed)
    {
        _open = open;
        _committed = committed;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>
    /// Queues <paramref name="write"/>. Cancelling <paramref name="cancellationToken"/> before the write has
    /// started removes it (it never runs); once started it runs to its end and its outcome is reported, so a
    /// caller never hears "cancelled" about a write that was committed.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, CancellationToken, Task<WriteOutcome<T>>> write, CancellationToken cancellationToken)
    {
        var pending = new PendingWrite<T>(write, cancellationToken);
        if (!_queue.Writer.TryWrite(pending))
        {
            pending.Fail(new ObjectDisposedException(nameof(SqliteDatabase)));
        }
        return pending.Task;
    }

    /// <summary>Runs what is already queued, then closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
    }

    private async Task RunAsync()
    {
        var batch = new List<PendingWrite>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var write))
            {
                batch.Add(write);
            }
            await CommitAsync(batch);
            batch.Clear();
        }
        DropConnection(null);
    }

    /// <summary>Runs one batch; never throws, so the loop outlives any failure.</summary>
    private async Task CommitAsync(List<PendingWrite> batch)
    {
        var kept = 0;
        SqliteTransaction? transaction = null;
        try
        {
            _connection ??= await _open();
            // BEGIN IMMEDIATE takes the write lock now, waiting (busy_timeout) while another process writes.
            transaction = _connection.BeginTransaction(deferred: false);
            // A write alone in its batch needs no savepoint: rolling it back is rolling back the transaction. A savepoint
            // keeps a copy of every page the write changes until its release (a bulk import's batch: thousands of pages).
            var alone = batch.Count == 1;
            foreach (var write in batch)
            {
                if (!write.TryStart())
                {
                    continue; // cancelled while queued: its caller has been told, and it never runs
                }
                if (alone)
                {
                    kept += await write.RunAsync(_connection, transaction) ? 1 : 0;
                    continue;
                }
                Run(Save, transaction);
                if (await write.RunAsync(_connection, transaction))
                {
                    kept++;
                }
                else
                {
                    Run(RollBackToSaved, transaction);
                }
                Run(Release, transaction);
            }
            if (kept == 0)
            {
                transaction.Rollback();
            }
            else
            {
                transaction.Commit();
                _committed(kept);
            }
            // Every answer waits for the batch's end, a rolled-back write's too: its outcome (a version conflict,
            // a name taken) may come from a write before it in the batch, which counts only once committed.
            foreach (var write in batch)
            {
                write.Finish();
            }
        }
        catch (Exception e)
        {
            foreach (var write in batch)
            {
                write.Fail(e);
            }
            DropConnection(transaction);
            transaction = null;
        }
        finally
        {
            transaction?.Dispose();
        }
    }

    private static void Run(string sql, SqliteTransaction transaction)
    {
        using var command = ((DbConnection)transaction.Connection!).CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Closes the connection (rolling back what is open) so the next batch starts on a fresh one.</summary>
    private void DropConnection(SqliteTransaction? transaction)
    {
        // Best effort, and never a throw: the loop must outlive this. ROLLBACK fails when SQLite has already rolled
        // back by itself (an I/O error); closing the connection ends whatever is left.
        try
        {
            transaction?.Dispose();
        }
        catch (Exception)
        {
        }
        try
        {
            _connection?.Dispose();
        }
        catch (Exception)
        {
        }
        _connection = null;
    }

    private abstract class PendingWrite
    {
        private const int Queued = 0, Started = 1, Cancelled = 2;
        private int _state = Queued;

        /// <summary>False when the caller cancelled first: then the write must not run.</summary>
        public bool TryStart() => Interlocked.CompareExchange(ref _state, Started, Queued) == Queued;

        protected bool TryCancel() => Interlocked.CompareExchange(ref _state, Cancelled, Queued) == Queued;

        /// <summary>Runs the write; true when its changes are to be kept, false when it asked to roll back or threw.</summary>
        public abstract Task<bool> RunAsync(SqliteConnection connection, SqliteTransaction transaction);

        /// <summary>Answers the caller with the write's value or its own exception (unless already answered).</summary>
        public abstract void Finish();

        /// <summary>Answers the caller with a failure of the whole batch (unless already answered).</summary>
        public abstract void Fail(Exception exception);
    }

    private sealed class PendingWrite<T> : PendingWrite
    {
        private readonly Func<DbConnection, DbTransaction, CancellationToken, Task<WriteOutcome<T>>> _write;
        private readonly TaskCompletionSource<T> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenRegistration _cancellation;
        private T _value = default!;
        private Exception? _error;

        public PendingWrite(Func<DbConnection, DbTransaction, CancellationToken, Task<WriteOutcome<T>>> write, CancellationToken cancellationToken)
        {
            _write = write;
            _cancellation = cancellationToken.Register(() =>
            {
                if (TryCancel())
                {
                    _answer.TrySetCanceled(cancellationToken);
                }
            });
        }

        public Task<T> Task => _answer.Task;

        public override async Task<bool> RunAsync(SqliteConnection connection, SqliteTransaction transaction)
        {
            try
            {
                // No cancellation inside the batch: SQLite answers a cancelled statement with sqlite3_interrupt,
                // which rolls back the whole transaction, every other write of the batch included.
                var outcome = await _write(connection, transaction, CancellationToken.None);
                _value = outcome.Value;
                return outcome.Keep;
            }
            catch (Exception e)
            {
                _error = e;
                return false;
            }
        }

        public override void Finish()
        {
            _cancellation.Dispose();
            if (_error is null)
            {
                _answer.TrySetResult(_value);
            }
            else
            {
                _answer.TrySetException(_error);
            }
        }

        public override void Fail(Exception exception)
        {
            _cancellation.Dispose();
            _answer.TrySetException(exception);
        }
    }
}
