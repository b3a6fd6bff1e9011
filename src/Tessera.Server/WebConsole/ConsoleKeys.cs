using Tessera.Storage.Sql;

namespace Tessera.Server.WebConsole;

/// <summary>Where Data Protection keys live, so console cookies survive a restart (never in ~/.aspnet).</summary>
public static class ConsoleKeys
{
    public static string Directory(string? configured, SqlDatabase database, string contentRoot)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured, contentRoot);
        }
        // The database's folder is the data directory; keys sit beside the file they protect sessions for.
        if (database is SqliteDatabase { FilePath: var file } && Path.IsPathRooted(file))
        {
            return Path.Combine(Path.GetDirectoryName(file)!, "keys");
        }
        return Path.GetFullPath(Path.Combine("data", "keys"), contentRoot);
    }
}
