using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Tessera.Storage.Sql;

/// <summary>
/// The embedded default: one SQLite file in WAL mode with synchronous=FULL, so a change acknowledged
/// to a client survives a crash of the process or the machine.
/// </summary>
public sealed class SqliteDatabase : SqlDatabase
{
    public const string DefaultConnectionString = "Data Source=data/tessera.db";

    private readonly string _connectionString;

    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string; a relative file is resolved against <paramref name="contentRoot"/>.</param>
    /// <param name="contentRoot">The directory relative paths are resolved against.</param>
    public SqliteDatabase(string connectionString, string contentRoot)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString)
        {
            ForeignKeys = true,
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
    }

    public override string Provider => "sqlite";

    /// <summary>The database file's full path.</summary>
    public string FilePath { get; }

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            // Per-connection settings: durable commits, and wait rather than fail while another writer commits.
            // Each pooled connection keeps its own page cache (2 MB by default, a dozen connections under load);
            // the operating system caches the file anyway, so 512 KiB each keeps the upper B-tree pages at hand.
            await connection.ExecuteAsync("PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000; PRAGMA cache_size = -512;");
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public override async Task PrepareAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // WAL is a property of the file: set once, kept across connections and restarts.
        await connection.ExecuteAsync("PRAGMA journal_mode = WAL;");
    }

    /// <summary>An approximate ANALYZE (at most 1,000 rows read per index): milliseconds even on a million tokens.</summary>
    public override async Task RefreshStatisticsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("PRAGMA analysis_limit = 1000; ANALYZE;", cancellationToken: cancellationToken));
    }

    /// <summary>BEGIN IMMEDIATE: a reader that later writes cannot deadlock against another writer.</summary>
    public override Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));

    public override bool IsUniqueViolation(DbException exception) =>
        exception is SqliteException { SqliteExtendedErrorCode: 2067 or 1555 }; // SQLITE_CONSTRAINT_UNIQUE, _PRIMARYKEY

    public override bool IsForeignKeyViolation(DbException exception) =>
        exception is SqliteException { SqliteExtendedErrorCode: 787 }; // SQLITE_CONSTRAINT_FOREIGNKEY
}
