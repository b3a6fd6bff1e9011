using System.Buffers;
using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Tessera.Storage.Sql;

/// <summary>
/// The embedded default: one SQLite file in WAL mode with synchronous=FULL, so a change acknowledged
/// to a client survives a crash of the process or the machine. Reads use pooled connections; writes go
/// through one writer connection that groups concurrent writes into one COMMIT (<see cref="SqliteGroupCommit"/>).
/// </summary>
public sealed class SqliteDatabase : SqlDatabase
{
    public const string DefaultConnectionString = "Data Source=data/tessera.db";

    /// <summary>Most writes one COMMIT carries.</summary>
    public const int MaxWritesPerCommit = SqliteGroupCommit.MaxBatch;

    // Per-connection settings: foreign keys, durable commits, and wait rather than fail while another process writes.
    // Each pooled connection keeps its own page cache (2 MB by default, a dozen connections under load);
    // the operating system caches the file anyway, so 512 KiB each keeps the upper B-tree pages at hand.
    private static string ConnectionSettings(int cacheKiB) =>
        $"PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000; PRAGMA cache_size = -{cacheKiB};";

    /// <summary>
    /// The SQLite connections (handles) whose settings are made. A pooled connection keeps them for its life, so they
    /// are run once per connection, not at each open: every API request opens one to find its license key, and compiling
    /// the settings there took 2.6 % of the server's CPU (docs/perf.md). The table holds its handles weakly.
    /// </summary>
    private static readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> Configured = new();

    private static readonly object Made = new();

    private const int ReaderCacheKiB = 512;

    /// <summary>The one writer connection's page cache: 64 MiB, a one-off cost against the readers' 512 KiB each.</summary>
    private const int WriterCacheKiB = 65_536;

    private readonly string _connectionString;
    private readonly SqliteGroupCommit _writer;

    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string; a relative file is resolved against <paramref name="contentRoot"/>.</param>
    /// <param name="contentRoot">The directory relative paths are resolved against.</param>
    public SqliteDatabase(string connectionString, string contentRoot)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            // Not left to the provider, which runs its pragma at every open: ConnectionSettings turns them on, once.
            ForeignKeys = null,
            Pooling = true,
            DefaultTimeout = 30,
        };
        if (builder.DataSource is not (":memory:" or "") && builder.Mode != SqliteOpenMode.Memory)
        {
            var path = Path.GetFullPath(builder.DataSource, contentRoot);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            builder.DataSource = path;
        }
        _connectionString = builder.ToString();
        FilePath = builder.DataSource;
        // The writer's connection lives as long as this object: nothing to gain from the pool, and closing it
        // after a failure must really close it, not hand a connection in an unknown state to the next reader.
        // Its savepoints' journals stay in memory (temp_store): they only undo a write of the open transaction,
        // are never read after a crash, and in a temporary file they cost about as much as the write itself.
        // Its page cache is large (WriterCacheKiB): every write walks a dozen index B-trees, the token hash's at a random
        // place, and with the readers' 512 KiB a bulk import slowed by a third from 100,000 to 300,000 tokens.
        var writer = new SqliteConnectionStringBuilder(_connectionString) { Pooling = false }.ToString();
        // Its statements stay compiled from one write to the next (SqliteWriterConnection).
        _writer = new SqliteGroupCommit(() => OpenAsync(new SqliteWriterConnection(writer), ConnectionSettings(WriterCacheKiB) + " PRAGMA temp_store = MEMORY;",
            CancellationToken.None), CountCommit);
    }

    public override string Provider => "sqlite";

    /// <summary>The database file's full path.</summary>
    public string FilePath { get; }

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(new SqliteConnection(_connectionString), ConnectionSettings(ReaderCacheKiB), cancellationToken);
        StorageTelemetry.TraceUntilDisposed(connection, Provider);
        return connection;
    }

    /// <summary>
    /// Queued for the writer connection, which runs the writes queued meanwhile in one transaction, each in a
    /// savepoint of its own, and commits them at once. The write is handed <see cref="CancellationToken.None"/>:
    /// <paramref name="cancellationToken"/> removes it only while it waits in the queue.
    /// </summary>
    public override async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, CancellationToken, Task<WriteOutcome<T>>> write,
        CancellationToken cancellationToken)
    {
        using var activity = StorageTelemetry.StartWrite(Provider);
        return await _writer.WriteAsync(write, cancellationToken);
    }

    private static async Task<SqliteConnection> OpenAsync(SqliteConnection connection, string settings, CancellationToken cancellationToken)
    {
        try
        {
            await connection.OpenAsync(cancellationToken);
            var handle = connection.Handle!;
            if (!Configured.TryGetValue(handle, out _))
            {
                await connection.ExecuteAsync(settings);
                Configured.AddOrUpdate(handle, Made);
            }
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// SQLite runs a statement such as a count in one step that no cancellation token reaches (SqliteCommand.Cancel does
    /// nothing): the token interrupts the connection instead (sqlite3_interrupt, safe from another thread), and the
    /// interrupted statement's error becomes the cancellation it is.
    /// </summary>
    public override async Task<T> InterruptibleAsync<T>(DbConnection connection, Func<Task<T>> read, CancellationToken cancellationToken)
    {
        var handle = ((SqliteConnection)connection).Handle;
        try
        {
            // Disposing the registration waits for a callback under way, so the interrupt never reaches a connection
            // that has gone back to the pool; one that arrives after the statement has ended affects nothing.
            using (cancellationToken.Register(() => SQLitePCL.raw.sqlite3_interrupt(handle)))
            {
                return await read();
            }
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SQLitePCL.raw.SQLITE_INTERRUPT && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The read was stopped: its time was up.", e, cancellationToken);
        }
    }

    public override async Task PrepareAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // WAL is a property of the file: set once, kept across connections and restarts.
        await connection.ExecuteAsync("PRAGMA journal_mode = WAL;");
    }

    /// <summary>
    /// The figures an approximate ANALYZE would write (<see cref="SqliteStatistics"/>): measured on a reading connection,
    /// then stored by the writer in one short write (5–10 ms), so token writes never wait for the reading. ANALYZE itself
    /// held the write lock while it counted every index: 2–3 s at a million tokens, 20 minutes at 10M from a cold page cache
    /// (docs/perf.md). Every pooled connection is then replaced, since each loads the figures once, when it first reads
    /// the schema.
    /// </summary>
    public override async Task RefreshStatisticsAsync(CancellationToken cancellationToken) =>
        await StoreStatisticsAsync(await MeasureStatisticsAsync(cancellationToken), cancellationToken);

    /// <summary>The refresh's first step: the figures, measured on a pooled reading connection, without the write lock.</summary>
    internal async Task<SqliteStatistics.Measurement> MeasureStatisticsAsync(CancellationToken cancellationToken)
    {
        await using var connection = (SqliteConnection)await OpenAsync(cancellationToken);
        return await SqliteStatistics.MeasureAsync(connection, StatisticsRows, cancellationToken);
    }

    /// <summary>The refresh's second step: the writer stores the figures in one write, and the reading pool is replaced.</summary>
    internal async Task StoreStatisticsAsync(SqliteStatistics.Measurement measurement, CancellationToken cancellationToken)
    {
        await WriteAsync(async (connection, transaction, ct) =>
        {
            await SqliteStatistics.StoreAsync(connection, transaction, measurement, StatisticsRows, ct);
            return WriteOutcome.Commit(true);
        }, cancellationToken);
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
    }

    /// <summary>The entries read per index of a table (its <c>analysis_limit</c>): <see cref="ListStatisticsRows"/> for the listed tables, else 1,000.</summary>
    internal static int StatisticsRows(string table) => table is "query_tokens" or "audit_entries" ? ListStatisticsRows : 1_000;

    /// <summary>
    /// Index entries read per index of the listed tables. The first entries of an index all belong to one account, so
    /// with 1,000 the planner took an account of a million tokens for 1,000 rows and one workload's 10,000 for the same:
    /// it then walked the account's expiry order instead of the workload's, 105–125 ms a page instead of one
    /// (docs/perf.md). 100,000 spans several workloads: 0.4 s of ANALYZE on a million tokens, an hour apart.
    /// </summary>
    internal const int ListStatisticsRows = 100_000;

    /// <summary>Runs the writes already queued, then closes the writer connection.</summary>
    protected override ValueTask DisposeAsyncCore() => _writer.DisposeAsync();

    /// <summary>BEGIN IMMEDIATE: a reader that later writes cannot deadlock against another writer.</summary>
    public override Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    /// <summary>One JSON array of <c>[id, uses, at]</c> rows, read with json_each (SQLite has no array parameters).</summary>
    public override (string Source, object Parameters) UsageRows(string[] ids, long[] uses, long[] ats)
    {
        var buffer = new ArrayBufferWriter<byte>(ids.Length * 64);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            for (var i = 0; i < ids.Length; i++)
            {
                json.WriteStartArray();
                json.WriteStringValue(ids[i]);
                json.WriteNumberValue(uses[i]);
                json.WriteNumberValue(ats[i]);
                json.WriteEndArray();
            }
            json.WriteEndArray();
        }
        return ("""
            (SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS uses, json_extract(value, '$[2]') AS at
             FROM json_each(@rows)) AS u
            """, new { rows = Encoding.UTF8.GetString(buffer.WrittenSpan) });
    }

    /// <summary>json_each over the array, a json_extract per column.</summary>
    public override string JsonRows(string parameter, string alias, params (string Name, string Type)[] columns) =>
        $"(SELECT {string.Join(", ", columns.Select(c => $"json_extract(value, '$.{c.Name}') AS {c.Name}"))} FROM json_each(@{parameter})) AS {alias}";

    /// <summary>No STAT4 in the bundled build, and FTS5 tells the planner nothing about how many names match: the store counts first (ADR 0012).</summary>
    public override bool PlansListFilters => false;

    /// <summary>
    /// The generated column of migration 0019, which the last-use indexes hold: SQLite seeks a row value only on index
    /// columns, and on the expression itself walked to the cursor from the top (the page after the 500,000th of a million tokens: 150 ms).
    /// </summary>
    public override string LastUsedKey => "t.last_used_key";

    public override string IndexHint(string index) => $" INDEXED BY {index}";

    /// <summary>
    /// The trigram index (migration 0007) as one FTS5 phrase: the folded text's trigrams, consecutive, i.e. the text as a
    /// substring (<see cref="Phrase"/>).
    /// </summary>
    public override string NameContainsCondition(string folded, DynamicParameters parameters)
    {
        parameters.Add("nameTrigrams", Phrase(folded));
        return $"t.id IN (SELECT n.token_id FROM {AccountsTrigramMatches})";
    }

    /// <summary>
    /// The trigram index's matches of <c>@nameTrigrams</c> among <c>@accountId</c>'s names, mapped to their tokens as <c>n</c>.
    /// The rowid is bounded to the account's range of keys (migration 0020), so FTS5 seeks past other accounts' matches.
    /// </summary>
    private const string AccountsTrigramMatches =
        "query_token_trigrams JOIN query_token_names n ON n.id = query_token_trigrams.rowid WHERE query_token_trigrams MATCH @nameTrigrams" +
        " AND query_token_trigrams.rowid BETWEEN (SELECT ordinal << 40 FROM query_token_name_ranges WHERE account_id = @accountId)" +
        " AND (SELECT ((ordinal + 1) << 40) - 1 FROM query_token_name_ranges WHERE account_id = @accountId) AND n.account_id = @accountId";

    /// <summary>The text as one FTS5 string: quoted, a double quote doubled, so no character of it is query syntax.</summary>
    private static string Phrase(string folded) => "\"" + folded.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>The trigram index's matches of the account, in the index's order: the token table is not read.</summary>
    public override string NameContainsRows(string folded, DynamicParameters parameters)
    {
        parameters.Add("nameTrigrams", Phrase(folded));
        return $"SELECT 1 FROM {AccountsTrigramMatches}";
    }

    public override string NowMs => "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";

    /// <summary>Dapper expands the array into one parameter per element (the callers send at most a few hundred).</summary>
    public override string EqualsAny(string parameter) => $"IN @{parameter}";

    public override bool IsUniqueViolation(DbException exception) =>
        exception is SqliteException { SqliteExtendedErrorCode: 2067 or 1555 }; // SQLITE_CONSTRAINT_UNIQUE, _PRIMARYKEY

    public override bool IsForeignKeyViolation(DbException exception) =>
        exception is SqliteException { SqliteExtendedErrorCode: 787 }; // SQLITE_CONSTRAINT_FOREIGNKEY
}
