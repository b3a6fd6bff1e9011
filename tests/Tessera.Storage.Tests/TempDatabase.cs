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

    /// <summary>The PostgreSQL connection string, or null on SQLite.</summary>
    public string? PostgresConnectionString => _pooledPostgres;

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

    /// <summary>
    /// Tokens the way the benchmark seeder writes them, generated inside the database: token i is named user-{i:0000000},
    /// bound to workload i % workloads (kind i % 20: 0–1 cancelled, 2 unassigned, 3 expired, the rest usable), created
    /// over the 30 days before <paramref name="now"/>, a third of them used; in one statement, so thousands take a second.
    /// </summary>
    public async Task FillLikeSeederAsync(string account, string[] workloads, int first, int count, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        await using var connection = await Database.OpenAsync(cancellationToken);
        var postgres = Database.Provider == "postgres";
        var rows = postgres
            ? "SELECT i FROM generate_series(0, @count - 1) AS s(i)"
            : "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < @count) SELECT i FROM s";
        var hash = postgres ? "decode(md5(@account || i) || md5(i || @account), 'hex')" : "randomblob(32)";
        var id = postgres ? "lpad(to_hex(@first + i), 32, '0')" : "printf('%032x', @first + i)";
        var name = postgres ? "'user-' || lpad(i::text, 7, '0')" : "printf('user-%07d', i)";
        var workload = postgres ? "(@workloadIds::text[])[i % @workloads + 1]" : "json_extract(@workloadIds, '$[' || (i % @workloads) || ']')";
                await connection.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO query_tokens (id, account_id, workload_id, name, name_folded, note, status, token_hash, hint,
                created_at, updated_at, expires_at, last_used_at, use_count, version)
            SELECT 'tok_' || {id}, @account, CASE WHEN i % 20 = 2 THEN NULL ELSE {workload} END,
                {name}, {name}, '', CASE WHEN i % 20 < 2 THEN 'cancelled' ELSE 'active' END, {hash}, 'hint',
                c, c, CASE WHEN i % 20 = 3 THEN @now - 60000 ELSE c + 2595600000 END,
                CASE WHEN i % 3 = 0 THEN c + 3600000 ELSE NULL END, CASE WHEN i % 3 = 0 THEN 1 ELSE 0 END, 1
            FROM (SELECT i, @now - (@count - i) * (2592000000 / @count) AS c FROM ({rows}) AS g) AS r
            """, new
        {
            account,
            first,
            count,
            workloads = workloads.Length,
            workloadIds = postgres ? (object)workloads : System.Text.Json.JsonSerializer.Serialize(workloads),
            now = now.ToUnixTimeMilliseconds(),
        }, commandTimeout: 0, cancellationToken: cancellationToken));
    }
}
