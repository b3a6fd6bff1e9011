using System.Globalization;
using System.Net;
using System.Text;
using Tessera.Cli;
using Tessera.Core.Secrets;

namespace Tessera.Client.Tests;

/// <summary>
/// Issue 17 in the clients, against a real server process: the SDK's GetUsageAsync, ExportTokensCsvAsync and
/// ImportTokensAsync; <c>tessera tokens list --format csv</c> and <c>tessera tokens import</c> in-process and as a real
/// process (standard error not a terminal: no progress bar, only the CSV on standard output).
/// </summary>
public sealed class UsageCsvClientTests(ProcessServer server) : IClassFixture<ProcessServer>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tessera-csv-").FullName;
    private CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_sdk_reads_usage_after_real_verifications_exports_csv_and_imports_with_a_replay_refused()
    {
        using var client = server.Client();
        var workload = await client.CreateWorkloadAsync(Unique("usage"), null, Ct);
        var token = await client.CreateTokenAsync(Unique("user"), workload.Id, null, Ct);
        using (var query = new TesseraQueryClient(server.Url, token.Token))
        {
            await query.HandshakeAsync(Ct);
            await query.HandshakeAsync(Ct);
        }
        // The flush runs every second in the real server.
        var (usage, _) = await Poll.UntilAsync(() => client.GetUsageAsync(new UsageFilter { TokenId = token.Id }, Ct), u => u.Sum(b => b.Uses) == 2);
        Assert.Equal(2, usage.Sum(b => b.Uses));
        Assert.Equal(24, usage.Count);
        Assert.Equal(30, (await client.GetUsageAsync(new UsageFilter { WorkloadId = workload.Id, Granularity = "day" }, Ct)).Count);

        var prefix = Unique("bulk");
        var key = Guid.NewGuid().ToString();
        var imported = await client.ImportTokensAsync(File(Rows(prefix, 1_500, workload.Id)), key, Ct).ToListAsync(Ct);
        Assert.Equal(1_500, imported.Count);
        Assert.All(imported, r => Assert.True(SecretFormat.IsWellFormed(r.Token, SecretKind.QueryToken)));
        Assert.Equal(Enumerable.Range(1, 1_500), imported.Select(r => r.Row));
        using (var query = new TesseraQueryClient(server.Url, imported[^1].Token))
        {
            Assert.Equal(imported[^1].Id, (await query.HandshakeAsync(Ct)).TokenId);
        }
        var replay = await Assert.ThrowsAsync<TesseraApiException>(async () =>
            await client.ImportTokensAsync(File(Rows(prefix, 1_500, workload.Id)), key, Ct).ToListAsync(Ct));
        Assert.Equal((HttpStatusCode.Conflict, "import_already_done"), (replay.StatusCode, replay.Code));
        var invalid = await Assert.ThrowsAsync<TesseraApiException>(async () =>
            await client.ImportTokensAsync(File("name\nok\nok\n"), Guid.NewGuid().ToString(), Ct).ToListAsync(Ct));
        Assert.Equal("import_invalid_rows", invalid.Code);
        Assert.Contains("duplicate", Assert.Single(invalid.Errors["row 2: name"]), StringComparison.Ordinal);

        using var csv = new StringWriter();
        await client.ExportTokensCsvAsync(new TokenListFilter { NameContains = prefix, Sort = "name" }, csv, Ct);
        var lines = csv.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("id,name,workloadId,workloadName,status,state,createdAt,expiresAt,lastUsedAt,useCount,hint,note", lines[0]);
        Assert.Equal(1_501, lines.Length);
        Assert.Equal(imported.Select(r => r.Id).Order(), lines[1..].Select(l => l.Split(',')[0]).Order());
    }

    [Fact]
    public async Task Tessera_tokens_import_writes_the_csv_to_stdout_refuses_a_rerun_of_the_same_file_and_list_format_csv_streams_the_export()
    {
        var prefix = Unique("cli");
        var path = Path.Combine(_dir, "users.csv");
        await System.IO.File.WriteAllTextAsync(path, Rows(prefix, 250, null), Ct);

        var first = await RunAsync("tokens", "import", path);
        Assert.Equal(ExitCodes.Ok, first.Exit);
        Assert.Equal("", first.Error);
        var lines = first.Out.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("row,id,name,workloadId,token", lines[0]);
        Assert.Equal(251, lines.Length);
        Assert.All(lines[1..], l => Assert.True(SecretFormat.IsWellFormed(l.Split(',')[4], SecretKind.QueryToken), l));

        // The same file again: the default Idempotency-Key is the file's hash, so nothing is created twice.
        var again = await RunAsync("tokens", "import", path);
        Assert.Equal(ExitCodes.Refused, again.Exit);
        Assert.Contains("already", again.Error, StringComparison.Ordinal);
        Assert.Equal("", again.Out);

        var listed = await RunAsync("tokens", "list", "--format", "csv", "--name-contains", prefix);
        Assert.Equal(ExitCodes.Ok, listed.Exit);
        Assert.Equal(251, listed.Out.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);

        // As a real process with standard error redirected (not a terminal): the CSV only, no progress bar.
        var other = Path.Combine(_dir, "more.csv");
        await System.IO.File.WriteAllTextAsync(other, Rows(Unique("proc"), 40, null), Ct);
        var process = await RunProcessAsync("tokens", "import", other);
        Assert.Equal(0, process.Exit);
        Assert.Equal("", process.Error);
        Assert.Equal(41, process.Out.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    private static MemoryStream File(string text) => new(Encoding.UTF8.GetBytes(text));

    private static string Rows(string prefix, int count, string? workloadId)
    {
        var text = new StringBuilder(workloadId is null ? "name\n" : "name,workloadId\n");
        for (var i = 1; i <= count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{prefix}-{i:D5}").Append(workloadId is null ? "" : "," + workloadId).Append('\n');
        }
        return text.ToString();
    }

    private async Task<(int Exit, string Out, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new CliEnvironment(new StringReader(""), output, error,
            name => name switch { CliEnvironment.UrlVariable => server.Url.ToString(), CliEnvironment.LicenseKeyVariable => server.LicenseKey, _ => null },
            _dir);
        var exit = await TesseraCli.RunAsync(args, environment, Ct);
        return (exit, output.ToString(), error.ToString());
    }

    private async Task<(int Exit, string Out, string Error)> RunProcessAsync(params string[] args)
    {
        var run = new System.Diagnostics.ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "tessera.dll"), .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
            Environment =
            {
                ["DOTNET_NOLOGO"] = "1", ["TESSERA_CONFIG_DIR"] = _dir,
                [CliEnvironment.UrlVariable] = server.Url.ToString(), [CliEnvironment.LicenseKeyVariable] = server.LicenseKey,
            },
        };
        using var process = System.Diagnostics.Process.Start(run)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var errors = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(120)).Token);
        return (process.ExitCode, await output, await errors);
    }

    private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)];
}
