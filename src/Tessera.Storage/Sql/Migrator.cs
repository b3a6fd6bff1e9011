using Tessera.Core;
using Dapper;

namespace Tessera.Storage.Sql;

/// <summary>
/// Applies the dialect's migrations that a database lacks, in order, each with its bookkeeping row in
/// one transaction. Refuses to run against a schema newer than this build knows.
/// </summary>
public sealed class Migrator(SqlDatabase database, TimeProvider time)
{
    /// <summary>Applies what is missing; returns the versions it applied.</summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken)
    {
        await database.PrepareAsync(cancellationToken);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await database.BeginWriteAsync(connection, cancellationToken);
        // Under the lock, so servers starting at once do not race even to create the bookkeeping table.
        await database.LockMigrationsAsync(connection, transaction, cancellationToken);
        await connection.ExecuteAsync(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
            transaction: transaction);
        var applied = (await connection.QueryAsync<int>("SELECT version FROM schema_migrations", transaction: transaction)).ToHashSet();
        var known = database.Migrations;
        var newest = known.Count == 0 ? 0 : known[^1].Version;
        if (applied.Count > 0 && applied.Max() > newest)
        {
            throw new TesseraConfigurationException(
                $"The database schema is at version {applied.Max()}, newer than this Tessera build knows ({newest}). Upgrade Tessera.");
        }
        var done = new List<int>();
        foreach (var migration in known.Where(m => !applied.Contains(m.Version)))
        {
            // No command timeout: a migration that builds indexes over a million tokens takes minutes (0007 did on
            // PostgreSQL), longer than a query's timeout, and stopping it half-way only rolls it back for the next start.
            await connection.ExecuteAsync(new CommandDefinition(migration.Script, transaction: transaction, commandTimeout: 0));
            await connection.ExecuteAsync(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@Version, @Name, @At)",
                new { migration.Version, migration.Name, At = time.GetUtcNow().ToUnixTimeMilliseconds() }, transaction);
            done.Add(migration.Version);
        }
        await transaction.CommitAsync(cancellationToken);
        return done;
    }
}
