using Microsoft.Data.Sqlite;
using Tessera.Core.Accounts;
using Tessera.Core.Secrets;
using Tessera.Core.Tokens;
using Tessera.Core.Workloads;
using Tessera.Storage.Sql;

namespace Tessera.Storage.Tests;

/// <summary>
/// A SQLite file of its own under the temp directory, with the three stores over it; deleted (with its
/// -wal and -shm files) on dispose. Every test makes one, so no test sees another's rows.
/// </summary>
public sealed class TempDatabase : IAsyncDisposable
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);

    private TempDatabase()
    {
        FilePath = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"tessera-test-{Guid.NewGuid():N}.db");
        Database = new SqliteDatabase($"Data Source={FilePath}", contentRoot: System.IO.Path.GetTempPath());
        Accounts = new SqlAccountStore(Database);
        Workloads = new SqlWorkloadStore(Database);
        Tokens = new SqlTokenStore(Database);
    }

    public string FilePath { get; }

    public SqliteDatabase Database { get; }

    public SqlAccountStore Accounts { get; }

    public SqlWorkloadStore Workloads { get; }

    public SqlTokenStore Tokens { get; }

    /// <summary>A database file that has not been migrated yet.</summary>
    public static TempDatabase CreateEmpty() => new();

    /// <summary>A database file with the current schema.</summary>
    public static async Task<TempDatabase> CreateMigratedAsync(CancellationToken cancellationToken)
    {
        var database = new TempDatabase();
        await new Migrator(database.Database, TimeProvider.System).MigrateAsync(cancellationToken);
        return database;
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

    public ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open; release them before deleting.
        SqliteConnection.ClearAllPools();
        foreach (var path in new[] { FilePath, FilePath + "-wal", FilePath + "-shm", FilePath + "-journal" })
        {
            File.Delete(path);
        }
        return ValueTask.CompletedTask;
    }
}
