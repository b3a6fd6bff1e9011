using System.Data.Common;
using System.Globalization;
using System.Reflection;
using Dapper;

namespace Tessera.Storage.Sql;

/// <summary>
/// What differs between the SQL databases Tessera runs on: how to connect, how constraint violations
/// are reported, and the DDL of the migrations. The stores' queries are written once in portable SQL
/// (named parameters, row values, CASE instead of GREATEST) and run unchanged on every dialect.
/// </summary>
public abstract class SqlDatabase
{
    static SqlDatabase()
    {
        // Row classes use PascalCase properties for snake_case columns.
        DefaultTypeMap.MatchNamesWithUnderscores = true;
    }

    /// <summary>The provider name of configuration key Tessera:Database:Provider.</summary>
    public abstract string Provider { get; }

    /// <summary>Opens a pooled connection, configured for Tessera.</summary>
    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    public abstract bool IsUniqueViolation(DbException exception);

    public abstract bool IsForeignKeyViolation(DbException exception);

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

    /// <summary>Begins a transaction that will write; dialects take their write lock up front where that avoids deadlocks.</summary>
    public virtual async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        await connection.BeginTransactionAsync(cancellationToken);

    /// <summary>
    /// Refreshes the query planner's statistics where the database does not do it by itself. PostgreSQL's
    /// autovacuum analyzes tables; SQLite never does, and without statistics it may sort a million tokens
    /// for a list page that an index would answer in a millisecond.
    /// </summary>
    public virtual Task RefreshStatisticsAsync(CancellationToken cancellationToken) => Task.CompletedTask;

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

    internal static Assembly StorageAssembly => typeof(SqlDatabase).Assembly;

    private sealed class NoLock : IAsyncDisposable
    {
        public static readonly NoLock Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
