using Microsoft.Data.Sqlite;
using Tessera.Server.Commands;

namespace Tessera.Server.Tests.Operations;

/// <summary>
/// Issue 19 §3: System.CommandLine owns the server's whole command line. A command or option nobody defined is
/// refused with one line and exit 2, and nothing is created; configuration arguments still reach the host.
/// </summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tessera-cli-").FullName;

    private string DatabasePath => Path.Combine(_directory, "t.db");

    private Dictionary<string, string> Database => new() { ["Tessera__Database__ConnectionString"] = $"Data Source={DatabasePath}" };

    [Theory]
    [InlineData("migrat")]
    [InlineData("backup-now", "--to", "x.db")]
    [InlineData("--bogus")]
    [InlineData("accounts", "delete")]
    [InlineData("migrate", "--force")]
    public async Task An_unknown_command_or_option_is_refused_with_one_line_and_exit_2_and_creates_nothing(params string[] args)
    {
        var (exitCode, stdout, stderr) = await ServerProcess.RunCommandAsync(_directory, Database, args);

        Assert.Equal(ServerCommandLine.UsageError, exitCode);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("tessera: ", line, StringComparison.Ordinal);
        Assert.False(File.Exists(DatabasePath), "no database (and no first account) may be created");
    }

    [Fact]
    public async Task Configuration_arguments_reach_the_admin_commands_and_help_lists_every_command()
    {
        var elsewhere = Path.Combine(_directory, "other.db");
        var (exitCode, stdout, stderr) = await ServerProcess.RunCommandAsync(_directory, null, "migrate", $"--Tessera:Database:ConnectionString=Data Source={elsewhere}");

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("Applied migrations", stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(elsewhere));

        var help = await ServerProcess.RunCommandAsync(_directory, Database, "--help");
        Assert.Equal(0, help.ExitCode);
        foreach (var command in new[] { "accounts", "migrate", "backup", "restore" })
        {
            Assert.Contains(command, help.Stdout, StringComparison.Ordinal);
        }
        Assert.False(File.Exists(DatabasePath));
    }

    [Theory]
    [InlineData(new[] { "--urls", "http://127.0.0.1:5001", "--Tessera:Tokens:Lifetime=00:00:05" }, new[] { "--urls", "http://127.0.0.1:5001", "--Tessera:Tokens:Lifetime=00:00:05" }, new string[0])]
    [InlineData(new[] { "backup", "--to", "/tmp/a.db", "--environment=Staging" }, new[] { "--environment=Staging" }, new[] { "backup", "--to", "/tmp/a.db" })]
    [InlineData(new[] { "--Tessera=", "--Tessera:Bootstrap:LicenseKey=tsl_x", "--applicationName=Tessera.Server" }, new[] { "--Tessera=", "--Tessera:Bootstrap:LicenseKey=tsl_x", "--applicationName=Tessera.Server" }, new string[0])]
    [InlineData(new[] { "--Tessera:Database:Provider", "postgres", "migrate" }, new[] { "--Tessera:Database:Provider", "postgres" }, new[] { "migrate" })]
    public void Configuration_arguments_are_told_apart_from_commands(string[] args, string[] configuration, string[] words)
    {
        var split = ServerCommandLine.Split(args);

        Assert.Equal(configuration, split.Configuration);
        Assert.Equal(words, split.Words);
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
