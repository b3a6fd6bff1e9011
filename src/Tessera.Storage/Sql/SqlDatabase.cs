using System.Data.Common;
using System.Globalization;
using System.Reflection;
using Dapper;

namespace Tessera.Storage.Sql;

/// <summary>
/// What differs between the SQL databases Tessera runs on: how to connect, how constraint violations
/// are reported, and the DDL of the migrations. The stores' queries are written once in portable SQL
/// (named parameters, row values, CASE instead of GREATEST) and run unchanged on every dialect. Every write
/// of the stores goes through <see cref="WriteAsync{T}"/>.
/// </summary>
public abstract partial class SqlDatabase : IAsyncDisposable
{
    private long _commits;
    private long _committedWrites;

    static SqlDatabase()
    {
        // Row classes use PascalCase properties for snake_case columns.
        DefaultTypeMap.MatchNamesWithUnderscores = true;
    }

    /// <summary>The provider name of configuration key Tessera:Database:Provider.</summary>
    public abstract string Provider { get; }

    /// <summary>Opens a pooled connection, configured for Tessera.</summary>
    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Opens a pooled connection for the pages of a list (tokens, audit entries), whose best plan depends on the values
    /// of each call: a range's bounds, a name's pattern, a cursor. Where the database may keep one plan for every value of
    /// a prepared statement, this connection plans each statement for its own (ADR 0012, "Planned for its values").
    /// </summary>
    public virtual Task<DbConnection> OpenForListsAsync(CancellationToken cancellationToken) => OpenAsync(cancellationToken);

    public abstract bool IsUniqueViolation(DbException exception);

    /// <summary>
    /// An SQL expression for the database's own clock in Unix milliseconds, the clock the change-feed triggers
    /// stamp rows with: whatever compares with those stamps must use it too, never a server's clock.
    /// </summary>
    public abstract string NowMs { get; }

    /// <summary>
    /// The SQL that tests a column against every element of an array parameter (<c>= ANY(@p)</c>, or <c>IN @p</c>
    /// where Dapper expands the array into one parameter per element).
    /// </summary>
    public abstract string EqualsAny(string parameter);

    public abstract bool IsForeignKeyViolation(DbException exception);

    /// <summary>
    /// Appended to a SELECT of webhook deliveries (alias <c>d</c>) that a claim will update, so servers claiming at
    /// once skip each other's rows instead of waiting or taking the same ones (PostgreSQL: FOR UPDATE SKIP LOCKED).
    /// SQLite needs nothing: its write transaction already admits one writer at a time.
    /// </summary>
    public virtual string SkipLockedRows => "";

    /// <summary>
    /// True where the planner weighs each token list filter against the sort order by itself, from statistics of value
    /// ranges and from indexes a <c>LIKE</c> uses directly (PostgreSQL: histograms, pg_trgm, the "C" B-tree). False
    /// where it cannot (SQLite without STAT4 guesses any range at a fixed share of the rows; FTS5 reports no
    /// selectivity): the token store then counts what each such filter selects and chooses (ADR 0012).
    /// </summary>
    public virtual bool PlansListFilters => true;

    /// <summary>
    /// The last-use sort key of <c>t</c> (query_tokens) as the last-use indexes hold it: a token never used sorts as the
    /// oldest use (-1). Written so the index seeks a keyset cursor on it (ADR 0012, "A cursor by last use is a seek").
    /// </summary>
    public virtual string LastUsedKey => "COALESCE(t.last_used_at, -1)";

    /// <summary>
    /// True where an index scan tests each of its conditions on every entry it passes, the one it started at included
    /// (PostgreSQL 15): a walk's bound that narrows little then costs the walk (4.4 → 9–10 ms for the bench's 42,000
    /// unassigned entries with a last-use bound). False where a bound only places the seek and ends the walk (SQLite).
    /// </summary>
    public virtual bool TestsEveryIndexConditionOnEachEntry => false;

    /// <summary>
    /// True where a day-by-day page (<see cref="TokenListDays.Page"/>) of many days and statuses
    /// (<see cref="TokenListDays.FewestLateralParts"/>) is one SELECT joined laterally to their list (PostgreSQL), planned
    /// once whatever their number; false where each day and status is its own arm of a UNION ALL (SQLite, which has no
    /// LATERAL and prepares an arm in microseconds).
    /// </summary>
    public virtual bool JoinsLaterally => false;

    /// <summary>
    /// <paramref name="sql"/>, a statement whose best plan does not depend on its values (the seeks of a range's days:
    /// <see cref="TokenListDays.Days"/>, <see cref="TokenListDays.SortBound"/>), written to run on a list's connection
    /// (<see cref="OpenForListsAsync"/>) with the plan PostgreSQL keeps for a prepared statement, not one made per call.
    /// </summary>
    public virtual string PlannedOnce(string sql) => sql;

    /// <summary>
    /// Written after a table's alias to make the planner read <paramref name="index"/> (SQLite's <c>INDEXED BY</c>, which
    /// fails the statement where the index cannot serve it); nothing where the dialect has no such hint.
    /// </summary>
    public virtual string IndexHint(string index) => "";

    /// <summary>
    /// The condition on <c>t</c> (query_tokens) that finds <c>@accountId</c>'s names containing <paramref name="folded"/>
    /// (3+ characters, lower-cased) through the dialect's trigram index, adding its parameters; written where the name
    /// narrows the page (<see cref="TokenListNarrowing.Name"/>). The caller also tests the name with <c>LIKE</c>, which decides.
    /// </summary>
    public abstract string NameContainsCondition(string folded, DynamicParameters parameters);

    /// <summary>
    /// A SELECT of one row per token of <c>@accountId</c> whose name contains <paramref name="folded"/> (3+ characters,
    /// lower-cased), adding its parameters, through the dialect's trigram index: for counting them up to a bound (a
    /// LIMIT). A count, not a test: the trigram index alone may answer it.
    /// </summary>
    public abstract string NameContainsRows(string folded, DynamicParameters parameters);

    /// <summary>
    /// False when the account's names containing <paramref name="folded"/> (3+ characters, lower-cased) are surely not
    /// fewer than <paramref name="bound"/>, judged without reading them; true when they may be, and are worth counting
    /// (<see cref="NameContainsRows"/>). SQLite's count stops at its bound whatever the matches: always true.
    /// </summary>
    public virtual Task<bool> MayHaveFewerNamesContainingAsync(DbConnection connection, string accountId, string folded, long bound,
        CancellationToken cancellationToken) => Task.FromResult(true);

    /// <summary>
    /// Serializes writers of one account inside <paramref name="transaction"/> where a rule spans
    /// several rows (the last active license key). SQLite needs nothing: it has one writer at a time.
    /// </summary>
    public virtual Task LockAccountAsync(DbConnection connection, DbTransaction transaction, string accountId, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    /// <summary>
    /// Serializes deleting a workload against concurrent assignments to it inside <paramref name="transaction"/>.
    /// SQLite needs nothing: it has one writer at a time.
    /// </summary>
    public virtual Task LockWorkloadAsync(DbConnection connection, DbTransaction transaction, string accountId, string workloadId, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    /// <summary>
    /// A row source <c>u (id, uses, at)</c> over many rows, for one statement, and its parameters: the
    /// usage flush writes a thousand tokens with one UPDATE … FROM it instead of a thousand statements.
    /// </summary>
    public abstract (string Source, object Parameters) UsageRows(string[] ids, long[] uses, long[] ats);

    /// <summary>
    /// A row source <c>{alias} ({columns})</c> read from a JSON array of objects in the string parameter
    /// <paramref name="parameter"/>, one object per row with the columns as keys (types: <c>text</c> or <c>bigint</c>; a
    /// missing or null key is NULL): one statement writes a whole batch of rows, whatever its length (ADR 0015's amendment).
    /// </summary>
    public abstract string JsonRows(string parameter, string alias, params (string Name, string Type)[] columns);

    /// <summary>
    /// Makes migrators on several servers sharing the database run one after another, inside the
    /// migration transaction. SQLite's write transaction (BEGIN IMMEDIATE) already does.
    /// </summary>
    public virtual Task LockMigrationsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    /// <summary>
    /// Held while a server migrates and bootstraps at start, so servers starting at once create one
    /// first account, not one each. SQLite serves one machine: nothing to hold.
    /// </summary>
    public virtual Task<IAsyncDisposable> HoldStartupLockAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IAsyncDisposable>(NoLock.Instance);

    /// <summary>
    /// Runs <paramref name="write"/> in a write transaction and keeps its changes when it returns
    /// <see cref="WriteOutcome.Commit{T}"/>; <see cref="WriteOutcome.RollBack{T}"/> or an exception discards them.
    /// The call returns once the kept changes are committed (durable). The write must run its statements on the
    /// connection and transaction it is given, with the cancellation token it is given, and must not call
    /// <see cref="WriteAsync{T}"/> itself (on SQLite that write would queue behind the one waiting for it).
    /// </summary>
    /// <remarks>
    /// This default gives each write a connection and a transaction of its own, committed on its own (PostgreSQL).
    /// SQLite overrides it with group commit: concurrent writes share one transaction and one COMMIT (ADR 0009).
    /// </remarks>
    public virtual async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, CancellationToken, Task<WriteOutcome<T>>> write,
        CancellationToken cancellationToken)
    {
        using var activity = StorageTelemetry.StartWrite(Provider);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await BeginWriteAsync(connection, cancellationToken);
        var outcome = await write(connection, transaction, cancellationToken);
        if (outcome.Keep)
        {
            await transaction.CommitAsync(cancellationToken);
            CountCommit(1);
        }
        // Not kept: disposing the transaction rolls it back.
        return outcome.Value;
    }

    /// <summary>A write with nothing to return, kept unless it throws.</summary>
    public Task WriteAsync(Func<DbConnection, DbTransaction, CancellationToken, Task> write, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction, ct) =>
        {
            await write(connection, transaction, ct);
            return WriteOutcome.Commit(true);
        }, cancellationToken);

    /// <summary>COMMITs made by <see cref="WriteAsync{T}"/> so far (for metrics and tests).</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Writes those COMMITs carried: more than <see cref="Commits"/> when writes were grouped.</summary>
    public long CommittedWrites => Interlocked.Read(ref _committedWrites);

    /// <summary>Counts one COMMIT that carried <paramref name="writes"/> kept writes.</summary>
    protected void CountCommit(int writes)
    {
        Interlocked.Increment(ref _commits);
        Interlocked.Add(ref _committedWrites, writes);
    }

    /// <summary>Begins a transaction that will write; dialects take their write lock up front where that avoids deadlocks.</summary>
    public virtual async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(cancellationToken);

    /// <summary>
    /// Refreshes the query planner's statistics where the database does not do it by itself. PostgreSQL's
    /// autovacuum analyzes tables; SQLite never does, and without statistics it may sort a million tokens
    /// for a list page that an index would answer in a millisecond.
    /// </summary>
    public virtual Task RefreshStatisticsAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>True when <see cref="ListenForChangesAsync"/> pushes change-feed notifications (PostgreSQL).</summary>
    public virtual bool PushesChanges => false;

    /// <summary>
    /// Calls <paramref name="changed"/> whenever a change-feed row commits, and once when listening starts (rows committed
    /// before then are read at once); returns or throws only when the connection is lost or on cancellation. SQLite has
    /// no notifications: it returns at once and readers poll.
    /// </summary>
    public virtual Task ListenForChangesAsync(Action changed, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Runs a read on <paramref name="connection"/> that <paramref name="cancellationToken"/> stops mid-statement, with an
    /// <see cref="OperationCanceledException"/>: for reads with a time budget (the console's count of matches). Npgsql
    /// cancels a running statement by itself; SQLite needs its connection interrupted.
    /// </summary>
    public virtual Task<T> InterruptibleAsync<T>(DbConnection connection, Func<Task<T>> read, CancellationToken cancellationToken) => read();

    /// <summary>Prepares a fresh database file or server for migrations (e.g. SQLite's WAL mode).</summary>
    public virtual Task PrepareAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The migrations of this dialect, embedded as Migrations/{provider}/NNNN_name.sql.</summary>
    public IReadOnlyList<Migration> Migrations => _migrations ??= LoadMigrations();

    private IReadOnlyList<Migration>? _migrations;

    private List<Migration> LoadMigrations()
    {
        var assembly = typeof(SqlDatabase).Assembly;
        var prefix = $"{assembly.GetName().Name}.Migrations.{Provider}.";
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var fileName = resource[prefix.Length..^".sql".Length];
            var underscore = fileName.IndexOf('_', StringComparison.Ordinal);
            var version = int.Parse(fileName[..underscore], CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add(new Migration(version, fileName[(underscore + 1)..], reader.ReadToEnd()));
        }
        return [.. migrations.OrderBy(m => m.Version)];
    }

    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore();
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the dialect holds (a pool, a writer connection).</summary>
    protected virtual ValueTask DisposeAsyncCore() => ValueTask.CompletedTask;

    internal static Assembly StorageAssembly => typeof(SqlDatabase).Assembly;

    private sealed class NoLock : IAsyncDisposable
    {
        public static readonly NoLock Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
