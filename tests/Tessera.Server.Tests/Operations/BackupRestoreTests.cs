using System.Collections.Concurrent;
using System.Net;
using Microsoft.Data.Sqlite;
using Tessera.Contracts;
using Tessera.Core.Secrets;

namespace Tessera.Server.Tests.Operations;

/// <summary>
/// Issue 19 §5: <c>backup --to FILE</c> copies the SQLite database while the real server keeps writing, and
/// <c>restore --from FILE</c> puts it into a fresh data folder, where a new server finds every token that was
/// acknowledged before the backup began exactly as it was (usable ones pass, cancelled ones are refused).
/// </summary>
public sealed class BackupRestoreTests : IDisposable
{
    private const int Writers = 4;

    private readonly string _directory = Directory.CreateTempSubdirectory("tessera-backup-").FullName;
    private readonly string _key = SecretFormat.Generate(SecretKind.LicenseKey);

    private Dictionary<string, string> Environment(string folder) => new()
    {
        ["Tessera__Database__ConnectionString"] = $"Data Source={Path.Combine(_directory, folder, "tessera.db")}",
        ["Tessera__Bootstrap__LicenseKey"] = _key,
        ["Logging__LogLevel__Default"] = "Warning",
    };

    [Fact]
    public async Task A_backup_taken_under_write_load_restores_into_a_fresh_folder_with_every_acknowledged_token_as_it_was()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var backupFile = Path.Combine(_directory, "backups", "tessera-backup.db");
        var acknowledged = new ConcurrentQueue<(string Secret, bool Cancelled)>();
        List<(string Secret, bool Cancelled)> beforeBackup;
        int issuedDuringBackup;
        await using (var server = await ServerProcess.StartAsync(_directory, Environment("live")))
        {
            using var client = RestoredServer.Client(server.BaseAddress, _key);
            var workloadId = (await (await client.PostJsonAsync("/v1/workloads", new { name = "llama-3" })).ReadAsync<WorkloadResponse>(HttpStatusCode.Created)).Id;
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(() => WriteAsync(client, workloadId, w, acknowledged, stop.Token), cancellationToken)).ToArray();
            await Poll.UntilAsync(() => Task.FromResult(acknowledged.Count), n => n >= 100, TimeSpan.FromSeconds(60));

            beforeBackup = [.. acknowledged];
            var backup = await ServerProcess.RunCommandAsync(_directory, Environment("live"), "backup", "--to", backupFile);
            issuedDuringBackup = acknowledged.Count - beforeBackup.Count;
            await stop.CancelAsync();
            await Task.WhenAll(writers);

            Assert.True(backup.ExitCode == 0, backup.Stdout + backup.Stderr);
            Assert.True(File.Exists(backupFile));
            Assert.False(File.Exists(backupFile + ".partial"));
            // The server went on writing while the copy was taken (the copy held no lock that stopped it).
            Assert.True(acknowledged.Count > beforeBackup.Count, $"no write was acknowledged after the backup began ({issuedDuringBackup} during it)");
        }

        var restore = await ServerProcess.RunCommandAsync(_directory, Environment("restored"), "restore", "--from", backupFile);
        Assert.True(restore.ExitCode == 0, restore.Stdout + restore.Stderr);

        await using (var restored = await ServerProcess.StartAsync(_directory, Environment("restored")))
        {
            Assert.Contains(beforeBackup, t => t.Cancelled);
            await RestoredServer.AssertAnswersAsBeforeAsync(restored.BaseAddress, beforeBackup, cancellationToken);
        }

        // The restored database is a database now: restoring over it again is refused unless asked for.
        var again = await ServerProcess.RunCommandAsync(_directory, Environment("restored"), "restore", "--from", backupFile);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("--replace", again.Stderr, StringComparison.Ordinal);
        // ...and a backup never overwrites a file.
        var overwrite = await ServerProcess.RunCommandAsync(_directory, Environment("restored"), "backup", "--to", backupFile);
        Assert.Equal(1, overwrite.ExitCode);
        Assert.Contains("never overwrites", overwrite.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restore_refuses_a_file_that_is_not_a_tessera_database_and_leaves_the_target_alone()
    {
        var bogus = Path.Combine(_directory, "bogus.db");
        await using (var connection = new SqliteConnection($"Data Source={bogus};Pooling=false"))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE notes (text TEXT)";
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var restore = await ServerProcess.RunCommandAsync(_directory, Environment("target"), "restore", "--from", bogus);

        Assert.Equal(1, restore.ExitCode);
        Assert.Contains("not a Tessera database", restore.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory, "target", "tessera.db")) &&
                     new FileInfo(Path.Combine(_directory, "target", "tessera.db")).Length > 0);
    }

    [Fact]
    public async Task Backup_on_postgres_points_to_pg_dump_instead_of_copying_anything()
    {
        var environment = new Dictionary<string, string>
        {
            ["Tessera__Database__Provider"] = "postgres",
            ["Tessera__Database__ConnectionString"] = "Host=127.0.0.1;Port=1;Database=none",
        };

        var backup = await ServerProcess.RunCommandAsync(_directory, environment, "backup", "--to", Path.Combine(_directory, "x.db"));

        Assert.Equal(1, backup.ExitCode);
        Assert.Contains("pg_dump", backup.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_directory, "x.db")));
    }

    /// <summary>Issues tokens until stopped; every fifth is cancelled, and only an acknowledged cancel counts as one.</summary>
    private static async Task WriteAsync(HttpClient client, string workloadId, int writer, ConcurrentQueue<(string, bool)> acknowledged, CancellationToken stop)
    {
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            try
            {
                var response = await client.PostJsonAsync($"/v1/workloads/{workloadId}/tokens", new { name = $"user-{writer}-{i}" });
                var token = await response.ReadAsync<CreatedTokenResponse>(HttpStatusCode.Created);
                if (i % 5 == 0)
                {
                    (await client.PatchJsonAsync($"/v1/tokens/{token.Id}", new { status = "cancelled" })).EnsureSuccessStatusCode();
                    acknowledged.Enqueue((token.Token, true));
                }
                else
                {
                    acknowledged.Enqueue((token.Token, false));
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }


    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
