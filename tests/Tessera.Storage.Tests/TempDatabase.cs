using System.Text;
using Dapper;
using Microsoft.Data.Sqlite;
using Tessera.Core.Accounts;
using Tessera.Core.Secrets;
using Tessera.Core.Tokens;
using Tessera.Core.Workloads;
using Tessera.Storage.Sql;

namespace Tessera.Storage.Tests;

/// <summary>
/// A database of its own for one test, with the three stores over it: a SQLite file under the temp
/// directory (deleted with its -wal and -shm files on dispose), or a PostgreSQL database cloned from the
/// migrated template and handed back, truncated, for the next test. No test sees another's rows.
/// </summary>
public sealed class TempDatabase : IAsyncDisposable
{
    public const string Sqlite = "sqlite";

    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);

    private readonly string? _pooledPostgres;

    private TempDatabase(SqlDatabase database, string? filePath, string? pooledPostgres)
    {
        Database = database;
        FilePath = filePath;
        _pooledPostgres = pooledPostgres;
        Accounts = new SqlAccountStore(Database);
        Workloads = new SqlWorkloadStore(Database);
        Tokens = new SqlTokenStore(Database);
    }

    /// <summary>The PostgreSQL provider name; reading it skips the test when no PostgreSQL is configured (fails under CI=true).</summary>
    public static string Postgres
    {
        get
        {
            TestPostgres.Require();
            return "postgres";
        }
    }

    /// <summary>The SQLite file, or null on PostgreSQL.</summary>
    public string? FilePath { get; }

    public SqlDatabase Database { get; }

    public SqlAccountStore Accounts { get; }

    public SqlWorkloadStore Workloads { get; }

    public SqlTokenStore Tokens { get; }

    /// <summary>A SQLite database file that has not been migrated yet.</summary>
    public static TempDatabase CreateEmpty() => CreateSqlite();

    /// <summary>A SQLite database file with the current schema.</summary>
    public static Task<TempDatabase> CreateMigratedAsync(CancellationToken cancellationToken) => CreateMigratedAsync(Sqlite, cancellationToken);

    /// <summary>A database of <paramref name="provider"/> with the current schema and no rows.</summary>
    public static async Task<TempDatabase> CreateMigratedAsync(string provider, CancellationToken cancellationToken)
    {
        if (provider != Sqlite)
        {
            var connectionString = await TestPostgres.RentMigratedAsync();
            return new TempDatabase(new PostgresDatabase(connectionString, PostgresDatabase.DefaultTimeout), null, connectionString);
        }
        var database = CreateSqlite();
        await new Migrator(database.Database, TimeProvider.System).MigrateAsync(cancellationToken);
        return database;
    }

    private static TempDatabase CreateSqlite()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"tessera-test-{Guid.NewGuid():N}.db");
        return new TempDatabase(new SqliteDatabase($"Data Source={path}", contentRoot: System.IO.Path.GetTempPath()), path, null);
    }

    /// <summary>
    /// Everything the database holds, as text: the SQLite files' bytes (Latin-1), or every PostgreSQL
    /// row in its text form (bytea as hex). A secret written anywhere in plain text shows up here.
    /// </summary>
    public async Task<string> ReadEverythingStoredAsync(CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        if (FilePath is not null)
        {
            foreach (var path in new[] { FilePath, FilePath + "-wal" }.Where(File.Exists))
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var memory = new MemoryStream();
                await stream.CopyToAsync(memory, cancellationToken);
                text.Append(Encoding.Latin1.GetString(memory.ToArray()));
            }
        }
        else
        {
            await using var connection = await Database.OpenAsync(cancellationToken);
            var tables = await connection.QueryAsync<string>("SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'");
            foreach (var table in tables)
            {
                text.AppendJoin('\n', await connection.QueryAsync<string>($"SELECT t::text FROM {table} t"));
            }
        }
        Assert.True(text.Length > 0, "the stored data was read");
        return text.ToString();
    }

    public async Task<Account> AddAccountAsync(string name, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var account = Account.Open(name, now);
        await Accounts.CreateAccountAsync(account, LicenseKey.Issue(account.Id, "Initial key", SecretFormat.Generate(SecretKind.LicenseKey), now), cancellationToken);
        return account;
    }

    public async Task<Workload> AddWorkloadAsync(string accountId, string name, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var workload = Workload.Create(accountId, name, "", now);
        Assert.Equal(Core.Storage.SaveResult.Saved, await Workloads.InsertWorkloadAsync(workload, cancellationToken));
        return workload;
    }

    public Task<QueryToken> AddTokenAsync(string accountId, string name, string? workloadId, DateTimeOffset createdAt,
        CancellationToken cancellationToken) =>
        AddTokenAsync(accountId, name, workloadId, createdAt, Lifetime, cancelled: false, cancellationToken);

    /// <summary>Issues and inserts a token created at <paramref name="createdAt"/>; a cancelled one is cancelled at that instant.</summary>
    public async Task<QueryToken> AddTokenAsync(string accountId, string name, string? workloadId, DateTimeOffset createdAt,
        TimeSpan lifetime, bool cancelled, CancellationToken cancellationToken)
    {
        var token = QueryToken.Issue(accountId, name, "", workloadId, SecretFormat.Generate(SecretKind.QueryToken), createdAt, lifetime);
        if (cancelled)
        {
            token.Cancel(createdAt);
        }
        Assert.Equal(Core.Storage.SaveResult.Saved, await Tokens.InsertTokenAsync(token, cancellationToken));
        return token;
    }

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        if (Database is PostgresDatabase)
        {
            TestPostgres.Return(_pooledPostgres!);
            return;
        }
        // Pooled connections keep the file open; release them before deleting.
        SqliteConnection.ClearAllPools();
        foreach (var path in new[] { FilePath!, FilePath + "-wal", FilePath + "-shm", FilePath + "-journal" })
        {
            File.Delete(path);
        }
    }
}
