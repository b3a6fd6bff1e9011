using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL cluster of a test's own, in a temporary directory on a free port, that the test may
/// stop and start (an outage) without disturbing the shared test server. Durable settings (fsync on).
/// As root, the server runs as the postgres user (initdb refuses root). Needs the binaries named by
/// TESSERA_TEST_PG_BIN (scripts/test.sh sets it) or found under /usr/lib/postgresql.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _directory;
    private readonly bool _asPostgresUser;

    private PostgresCluster(string bin, string directory, int port, bool asPostgresUser)
    {
        _bin = bin;
        _directory = directory;
        Port = port;
        _asPostgresUser = asPostgresUser;
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres";

    /// <summary>Creates and starts a cluster; skips the test without PostgreSQL binaries (fails under CI=true).</summary>
    public static async Task<PostgresCluster> StartNewAsync()
    {
        var bin = RequireBinaries();
        var directory = Directory.CreateTempSubdirectory("tessera-pg-").FullName;
        var asPostgresUser = Environment.UserName == "root";
        var cluster = new PostgresCluster(bin, directory, FreePort(), asPostgresUser);
        if (asPostgresUser)
        {
            await RunAsync("chown", "postgres:postgres", directory);
        }
        await cluster.RunAsPostgresAsync(Path.Combine(bin, "initdb"), "-D", cluster.DataDirectory, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync");
        await cluster.StartAsync();
        return cluster;
    }

    /// <summary>
    /// The folder of PostgreSQL's programs (initdb, pg_ctl, pg_dump…): TESSERA_TEST_PG_BIN, else the newest under
    /// /usr/lib/postgresql; skips the calling test without them (fails under CI=true).
    /// </summary>
    public static string RequireBinaries()
    {
        TestPostgres.Require();
        var bin = Environment.GetEnvironmentVariable("TESSERA_TEST_PG_BIN") is { Length: > 0 } configured
            ? configured
            : Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).OrderBy(d => d, StringComparer.Ordinal).LastOrDefault()
                : null;
        if (bin is null || !File.Exists(Path.Combine(bin, "initdb")))
        {
            if (TestPostgres.InCi)
            {
                throw new InvalidOperationException("CI=true and no PostgreSQL binaries (TESSERA_TEST_PG_BIN) for a dedicated cluster.");
            }
            Assert.Skip("PostgreSQL binaries not found: set TESSERA_TEST_PG_BIN or run scripts/test.sh.");
        }
        return bin;
    }

    private string DataDirectory => Path.Combine(_directory, "data");

    public Task StartAsync() => RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"), "-D", DataDirectory, "-l", Path.Combine(DataDirectory, "server.log"), "-w",
        "-o", $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1", "start");

    /// <summary>Stops the server the hard way (as a crash would): committed work must come back from the WAL.</summary>
    public Task StopAsync() => RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"), "-D", DataDirectory, "-m", "immediate", "-w", "stop");

    /// <summary>
    /// Freezes the whole cluster with SIGSTOP (the postmaster and every backend): it accepts TCP connections
    /// (the kernel does) and answers nothing, the way a hung database or a network partition looks to a client.
    /// </summary>
    public Task FreezeAsync() => SignalAllAsync("STOP");

    /// <summary>Lets a frozen cluster run again.</summary>
    public Task ThawAsync() => SignalAllAsync("CONT");

    private async Task SignalAllAsync(string signal)
    {
        var postmaster = int.Parse((await File.ReadAllLinesAsync(Path.Combine(DataDirectory, "postmaster.pid")))[0], System.Globalization.CultureInfo.InvariantCulture);
        var pids = new List<int> { postmaster };
        foreach (var stat in Directory.GetDirectories("/proc").Select(d => Path.Combine(d, "stat")).Where(File.Exists))
        {
            string text;
            try
            {
                text = await File.ReadAllTextAsync(stat);
            }
            catch (IOException)
            {
                continue; // the process ended meanwhile
            }
            // pid (comm) state ppid …: comm may hold spaces, so read after its closing parenthesis.
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            if (int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) == postmaster)
            {
                pids.Add(int.Parse(text[..text.IndexOf(' ')], System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        // The postmaster first on STOP (no new backends), last on CONT.
        foreach (var pid in signal == "STOP" ? pids : Enumerable.Reverse(pids))
        {
            try
            {
                await RunAsync("kill", $"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            catch (InvalidOperationException) when (pid != postmaster)
            {
                // a backend that ended meanwhile
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await ThawAsync(); // a test that failed while the cluster was frozen must not leave it stopped
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            // not running
        }
        try
        {
            await StopAsync();
        }
        catch (InvalidOperationException)
        {
            // already stopped
        }
        Directory.Delete(_directory, recursive: true);
    }

    private Task RunAsPostgresAsync(string program, params string[] args) =>
        _asPostgresUser ? RunAsync("runuser", ["-u", "postgres", "--", program, .. args]) : RunAsync(program, args);

    /// <summary>Runs a program to completion; a non-zero exit throws with its output.</summary>
    public static async Task RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {process.ExitCode}: {await stdout}{await stderr}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
