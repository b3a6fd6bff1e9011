using Dapper;
using Microsoft.Data.Sqlite;
using Tessera.Storage.Sql;

namespace Tessera.Server.Commands;

/// <summary>
/// <c>backup</c> and <c>restore</c> for the embedded database, through SQLite's online backup API: the copy is
/// read inside one read transaction, so it is the database as of one commit, while the servers on the file keep
/// writing (WAL lets readers and the writer proceed together). PostgreSQL has its own tools (docs/deploy.md).
/// </summary>
internal static class SqliteBackup
{
    public static async Task<int> BackupAsync(IHost host, FileInfo to, CancellationToken cancellationToken)
    {
        using (host)
        {
            if (!TryGetSqlite(host, out var database))
            {
                return 1;
            }
            if (!File.Exists(database.FilePath))
            {
                await Console.Error.WriteLineAsync($"tessera: there is no database at {database.FilePath} to back up.");
                return 1;
            }
            if (to.Exists)
            {
                await Console.Error.WriteLineAsync($"tessera: {to.FullName} exists; a backup never overwrites a file.");
                return 1;
            }
            Directory.CreateDirectory(to.DirectoryName!);
            // Written beside the target and renamed when complete and checked, so a file with the backup's name is a whole backup.
            var partial = to.FullName + ".partial";
            File.Delete(partial);
            await using (var source = await OpenAsync(database.FilePath, SqliteOpenMode.ReadOnly, cancellationToken))
            await using (var destination = await OpenAsync(partial, SqliteOpenMode.ReadWriteCreate, cancellationToken))
            {
                source.BackupDatabase(destination);
                // A standalone file: no -wal beside it to lose when it is copied elsewhere.
                await destination.ExecuteAsync("PRAGMA journal_mode = DELETE;");
                if (await CheckAsync(destination, partial) is not { } version)
                {
                    return 1;
                }
                Console.WriteLine($"Backed up {database.FilePath} (schema {version}) to {to.FullName}.");
            }
            SqliteConnection.ClearAllPools();
            File.Move(partial, to.FullName);
            return 0;
        }
    }

    public static async Task<int> RestoreAsync(IHost host, FileInfo from, bool replace, CancellationToken cancellationToken)
    {
        using (host)
        {
            if (!TryGetSqlite(host, out var database))
            {
                return 1;
            }
            if (!from.Exists)
            {
                await Console.Error.WriteLineAsync($"tessera: there is no backup at {from.FullName}.");
                return 1;
            }
            await using var source = await OpenAsync(from.FullName, SqliteOpenMode.ReadOnly, cancellationToken);
            if (await CheckAsync(source, from.FullName) is not { } version)
            {
                return 1;
            }
            await using var destination = await OpenAsync(database.FilePath, SqliteOpenMode.ReadWriteCreate, cancellationToken);
            var tables = await destination.ExecuteScalarAsync<long>("SELECT count(*) FROM sqlite_schema WHERE type = 'table'");
            if (tables > 0 && !replace)
            {
                await Console.Error.WriteLineAsync(
                    $"tessera: {database.FilePath} already holds a database; stop every server on it and pass --replace to overwrite it.");
                return 1;
            }
            source.BackupDatabase(destination);
            // The servers keep their file in WAL mode (set at start as well); a backup is written without it.
            await destination.ExecuteAsync("PRAGMA journal_mode = WAL;");
            Console.WriteLine($"Restored {from.FullName} (schema {version}) into {database.FilePath}.");
            return 0;
        }
    }

    private static bool TryGetSqlite(IHost host, out SqliteDatabase database)
    {
        if (host.Services.GetRequiredService<SqlDatabase>() is SqliteDatabase sqlite)
        {
            database = sqlite;
            return true;
        }
        Console.Error.WriteLine("tessera: backup and restore are for the SQLite database; for PostgreSQL use pg_dump and pg_restore (docs/deploy.md).");
        database = null!;
        return false;
    }

    private static async Task<SqliteConnection> OpenAsync(string path, SqliteOpenMode mode, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString());
        await connection.OpenAsync(cancellationToken);
        await connection.ExecuteAsync("PRAGMA busy_timeout = 10000;");
        return connection;
    }

    /// <summary>The newest applied migration of a whole, Tessera database; null (said on stderr) otherwise.</summary>
    private static async Task<string?> CheckAsync(SqliteConnection connection, string path)
    {
        try
        {
            var integrity = await connection.ExecuteScalarAsync<string>("PRAGMA integrity_check");
            if (integrity != "ok")
            {
                await Console.Error.WriteLineAsync($"tessera: {path} fails SQLite's integrity check: {integrity}");
                return null;
            }
            var version = await connection.ExecuteScalarAsync<long?>("SELECT max(version) FROM schema_migrations") ??
                          throw new SqliteException("no migration applied", 1);
            return version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (SqliteException e)
        {
            await Console.Error.WriteLineAsync($"tessera: {path} is not a Tessera database ({e.Message}).");
            return null;
        }
    }
}
