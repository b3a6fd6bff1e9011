using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Tessera.Contracts;
using Tessera.Core.Secrets;

namespace Tessera.Server.Tests;

/// <summary>
/// The server as an operator runs it: a separate process on a real port, its first-run bootstrap, its
/// admin commands (accounts create, migrate), the default ./data/ location, and the README quickstart.
/// </summary>
public sealed partial class ServerProcessTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tessera-process-").FullName;

    private Dictionary<string, string> Database => new() { ["Tessera__Database__ConnectionString"] = $"Data Source={Path.Combine(_directory, "t.db")}" };

    [Fact]
    public async Task First_start_prints_a_working_license_key_once_and_a_restart_prints_none()
    {
        string key;
        await using (var server = await ServerProcess.StartAsync(_directory, Database))
        {
            var keys = LicenseKeyPattern().Matches(server.Stdout).Select(m => m.Value).ToList();
            key = Assert.Single(keys);
            Assert.DoesNotContain(key, server.Stderr, StringComparison.Ordinal);
            using var client = Client(server, key);
            Assert.Equal("Default account", (await (await client.GetAsync("/v1/account")).ReadAsync<AccountResponse>()).Name);
        }

        await using (var again = await ServerProcess.StartAsync(_directory, Database))
        {
            Assert.Empty(LicenseKeyPattern().Matches(again.Stdout));
            using var client = Client(again, key);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/account")).StatusCode);
        }
    }

    [Fact]
    public async Task The_server_as_shipped_writes_no_log_line_per_request_and_configuration_can_ask_for_them()
    {
        await using (var quiet = await ServerProcess.StartAsync(_directory, Database))
        {
            using var client = new HttpClient { BaseAddress = quiet.BaseAddress };
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
                Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/v1/account")).StatusCode);
            }
            await quiet.StopAsync();
            Assert.Contains("Now listening on", quiet.Stdout, StringComparison.Ordinal); // start-up is still told
            Assert.DoesNotContain("Request starting", quiet.Stdout + quiet.Stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("Request finished", quiet.Stdout + quiet.Stderr, StringComparison.Ordinal);
        }

        var verbose = new Dictionary<string, string>(Database) { ["Logging__LogLevel__Microsoft.AspNetCore"] = "Information" };
        await using var chatty = await ServerProcess.StartAsync(_directory, verbose);
        using var again = new HttpClient { BaseAddress = chatty.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/healthz")).StatusCode);
        var (stdout, _) = await Poll.UntilAsync(() => Task.FromResult(chatty.Stdout), o => o.Contains("Request starting", StringComparison.Ordinal));
        Assert.Contains("Request starting", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_configured_bootstrap_key_is_used_and_never_printed()
    {
        var key = SecretFormat.Generate(SecretKind.LicenseKey);
        var environment = Database;
        environment["Tessera__Bootstrap__LicenseKey"] = key;

        await using var server = await ServerProcess.StartAsync(_directory, environment);

        Assert.DoesNotContain(key, server.Stdout + server.Stderr, StringComparison.Ordinal);
        Assert.Empty(LicenseKeyPattern().Matches(server.Stdout));
        using var client = Client(server, key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/account")).StatusCode);
    }

    [Fact]
    public async Task A_malformed_bootstrap_key_stops_the_server_with_a_clear_message()
    {
        var environment = Database;
        environment["Tessera__Bootstrap__LicenseKey"] = "tsl_not-a-real-key";

        var (exitCode, stdout, stderr) = await ServerProcess.RunCommandAsync(_directory, environment, "--urls", "http://127.0.0.1:0");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Tessera:Bootstrap:LicenseKey is not a well-formed", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accounts_create_prints_the_new_license_key_as_the_last_line()
    {
        var (exitCode, stdout, stderr) = await ServerProcess.RunCommandAsync(_directory, Database, "accounts", "create", "--name", "Acme AI");

        Assert.True(exitCode == 0, stderr);
        var last = stdout.TrimEnd().Split('\n')[^1].Trim();
        Assert.True(SecretFormat.IsWellFormed(last, SecretKind.LicenseKey), $"last line: {last}");
        Assert.Single(LicenseKeyPattern().Matches(stdout));

        await using var server = await ServerProcess.StartAsync(_directory, Database);
        using var client = Client(server, last);
        Assert.Equal("Acme AI", (await (await client.GetAsync("/v1/account")).ReadAsync<AccountResponse>()).Name);
    }

    [Fact]
    public async Task Accounts_create_refuses_a_missing_or_invalid_name()
    {
        var missing = await ServerProcess.RunCommandAsync(_directory, Database, "accounts", "create");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("--name", missing.Stderr + missing.Stdout, StringComparison.Ordinal);

        var empty = await ServerProcess.RunCommandAsync(_directory, Database, "accounts", "create", "--name", "   ");
        Assert.NotEqual(0, empty.ExitCode);
        Assert.Empty(LicenseKeyPattern().Matches(empty.Stdout));
    }

    [Fact]
    public async Task Migrate_applies_the_schema_once_and_then_reports_it_up_to_date()
    {
        var first = await ServerProcess.RunCommandAsync(_directory, Database, "migrate");
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("Applied migrations: 1", first.Stdout, StringComparison.Ordinal);

        var second = await ServerProcess.RunCommandAsync(_directory, Database, "migrate");
        Assert.Equal(0, second.ExitCode);
        Assert.Contains("up to date", second.Stdout, StringComparison.Ordinal);

        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "t.db")}");
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Without_configuration_the_database_is_data_tessera_db_under_the_working_directory()
    {
        await using var server = await ServerProcess.StartAsync(_directory);

        Assert.True(File.Exists(Path.Combine(_directory, "data", "tessera.db")));
    }

    [Fact]
    public async Task The_readme_quickstart_works_exactly_as_written()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "README.md"));
        var script = QuickstartPattern().Match(readme);
        Assert.True(script.Success, "README.md has a ```bash block after <!-- quickstart -->");
        await using var server = await ServerProcess.StartAsync(_directory, Database);
        var key = LicenseKeyPattern().Match(server.Stdout).Value;
        // Only the two lines the reader fills in change: where the server is, and the key it printed.
        var body = script.Groups[1].Value;
        Assert.Matches(@"(?m)^TESSERA=http://localhost:5000$", body);
        Assert.Matches(@"(?m)^KEY=tsl_\S*$", body);
        body = Regex.Replace(body, @"(?m)^TESSERA=.*$", $"TESSERA={server.BaseAddress.ToString().TrimEnd('/')}");
        body = Regex.Replace(body, @"(?m)^KEY=.*$", $"KEY={key}");

        var run = new ProcessStartInfo("bash", ["-euo", "pipefail", "-c", body]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(run)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);

        Assert.True(process.ExitCode == 0, output + errors);
        Assert.Contains("\"tokenName\":\"alice\"", output.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("HTTP/1.1 401", output, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"token_cancelled\"", output, StringComparison.Ordinal);
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

    private static HttpClient Client(ServerProcess server, string key) => new()
    {
        BaseAddress = server.BaseAddress,
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", key) },
        Timeout = TimeSpan.FromSeconds(30),
    };

    [GeneratedRegex("tsl_[0-9A-Za-z]{49}")]
    private static partial Regex LicenseKeyPattern();

    [GeneratedRegex(@"<!-- quickstart -->\s*```bash\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex QuickstartPattern();
}
