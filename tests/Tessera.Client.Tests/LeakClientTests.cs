using System.Diagnostics;
using Tessera.Cli;
using Tessera.Core.Secrets;

namespace Tessera.Client.Tests;

/// <summary>
/// Leak response in the clients (issue 18): the SDK's ReportLeakAsync and <c>tessera scan</c> on a tree with
/// secrets, look-alikes and binary files: in-process, as a real process, and with <c>--report</c> against a real
/// server process.
/// </summary>
public sealed class LeakClientTests(ProcessServer server) : IClassFixture<ProcessServer>, IDisposable
{
    private readonly string _tree = Directory.CreateTempSubdirectory("tessera-scan-").FullName;
    private readonly string _config = Directory.CreateTempSubdirectory("tessera-cli-").FullName;

    [Fact]
    public async Task The_sdk_reports_a_leaked_token_which_the_server_cancels_and_a_look_alike_as_a_false_positive()
    {
        using var client = server.Client();
        var token = await client.CreateTokenAsync(Unique("leaked"));

        var answer = await client.ReportLeakAsync(token.Token, "https://github.com/a/b/blob/main/.env", "content", TestContext.Current.CancellationToken);
        var lookAlike = await client.ReportLeakAsync(LookAlike(token.Token), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(("true_positive", "cancel"), (answer.Label, answer.Action));
        Assert.Equal(("false_positive", null), (lookAlike.Label, lookAlike.Action));
        var after = await client.GetTokenAsync(token.Id, TestContext.Current.CancellationToken);
        Assert.Equal("cancelled", after.Status);
        Assert.Equal("https://github.com/a/b/blob/main/.env", after.Leak?.Url);
    }

    [Fact]
    public async Task Scan_prints_file_line_and_hint_of_each_real_secret_skips_look_alikes_and_binaries_and_exits_1()
    {
        var (token, key) = (SecretFormat.Generate(SecretKind.QueryToken), SecretFormat.Generate(SecretKind.LicenseKey));
        WriteTree(token, key);

        var scan = await RunAsync("", "scan", _tree);

        Assert.Equal(ExitCodes.SecretsFound, scan.Exit);
        Assert.Equal(
            [
                $"{Path.Combine(_tree, ".env")}:3: {Hint(token)} (query token)",
                $"{Path.Combine(_tree, "deploy", "nested", "values.yaml")}:2: {Hint(key)} (license key)",
                $"{Path.Combine(_tree, "deploy", "nested", "values.yaml")}:2: {Hint(token)} (query token)",
            ],
            Lines(scan.Out));
        Assert.DoesNotContain(token, scan.Out + scan.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(key, scan.Out + scan.Error, StringComparison.Ordinal);
        Assert.Contains("skipped 1 binary file(s)", scan.Error, StringComparison.Ordinal);

        // Only look-alikes: nothing found, exit 0.
        var clean = await RunAsync("", "scan", Path.Combine(_tree, "lookalikes.txt"));
        Assert.Equal((ExitCodes.Ok, ""), (clean.Exit, clean.Out));
        // Standard input, and a path that does not exist.
        var piped = await RunAsync($"first line\nexport TOKEN={token}\n", "scan", "-");
        Assert.Equal([$"<stdin>:2: {Hint(token)} (query token)"], Lines(piped.Out));
        Assert.Equal(ExitCodes.SecretsFound, piped.Exit);
        var missing = await RunAsync("", "scan", Path.Combine(_tree, "no-such-file"));
        Assert.Equal(ExitCodes.NotFound, missing.Exit);
        Assert.Contains("no such file or directory", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scan_as_a_real_process_reads_files_and_stdin_and_sets_the_exit_status()
    {
        var (token, key) = (SecretFormat.Generate(SecretKind.QueryToken), SecretFormat.Generate(SecretKind.LicenseKey));
        WriteTree(token, key);

        var found = await RunProcessAsync("", "scan", _tree);
        var clean = await RunProcessAsync($"nothing here\n{LookAlike(token)}\n", "scan", "-", Path.Combine(_tree, "lookalikes.txt"));

        Assert.Equal(1, found.Exit);
        Assert.Equal(3, Lines(found.Out).Length);
        Assert.Contains($".env:3: {Hint(token)} (query token)", found.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(token, found.Out + found.Error, StringComparison.Ordinal);
        Assert.Equal((0, ""), (clean.Exit, clean.Out));
    }

    [Fact]
    public async Task Scan_with_report_sends_each_query_token_found_to_the_server_which_cancels_it()
    {
        using var client = server.Client();
        var leaked = await client.CreateTokenAsync(Unique("scan-leaked"));
        var untouched = await client.CreateTokenAsync(Unique("scan-untouched"));
        WriteTree(leaked.Token, SecretFormat.Generate(SecretKind.LicenseKey));
        await File.AppendAllTextAsync(Path.Combine(_tree, "lookalikes.txt"), LookAlike(untouched.Token) + "\n", TestContext.Current.CancellationToken);

        var report = await RunProcessAsync("", "scan", "--report", _tree);

        Assert.Equal(1, report.Exit); // still "found"
        // The token appears twice in the tree; it is reported once. License keys are listed, not reported.
        Assert.Equal([$"reported {Hint(leaked.Token)}: true_positive (cancel)"], Lines(report.Out).Where(l => l.StartsWith("reported", StringComparison.Ordinal)));
        Assert.DoesNotContain(leaked.Token, report.Out + report.Error, StringComparison.Ordinal);
        Assert.Equal("cancelled", (await client.GetTokenAsync(leaked.Id, TestContext.Current.CancellationToken)).Status);
        Assert.Equal("active", (await client.GetTokenAsync(untouched.Id, TestContext.Current.CancellationToken)).Status);
    }

    /// <summary>
    /// .env (a token on line 3), deploy/nested/values.yaml (a key and the token on line 2), lookalikes.txt (a bad CRC,
    /// random strings of the right shape, a token inside a longer run), image.bin (binary, holding the token), and
    /// .git/config (holding the token; git's own directory is not scanned).
    /// </summary>
    private void WriteTree(string token, string key)
    {
        File.WriteAllText(Path.Combine(_tree, ".env"), $"# settings\nURL=https://tessera.example\nTESSERA_TOKEN={token}\n");
        Directory.CreateDirectory(Path.Combine(_tree, "deploy", "nested"));
        File.WriteAllText(Path.Combine(_tree, "deploy", "nested", "values.yaml"), $"tessera:\n  key: \"{key}\" # and token: '{token}'\n");
        File.WriteAllText(Path.Combine(_tree, "lookalikes.txt"), string.Join("\n",
            LookAlike(token),
            "tsq_" + RandomBase62(49),
            "tsl_" + RandomBase62(49),
            "x" + token, // glued to a longer run: not a secret standing alone
            token + "Z",
            "tsq_" + token[4..^1]) + "\n");
        File.WriteAllBytes(Path.Combine(_tree, "image.bin"), [0x89, 0x50, 0x4E, 0x47, 0, 0, .. System.Text.Encoding.ASCII.GetBytes(" " + token + " ")]);
        Directory.CreateDirectory(Path.Combine(_tree, ".git"));
        File.WriteAllText(Path.Combine(_tree, ".git", "config"), token + "\n");
    }

    private async Task<(int Exit, string Out, string Error)> RunAsync(string stdin, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new CliEnvironment(new StringReader(stdin), output, error, _ => null, _config);
        var exit = await TesseraCli.RunAsync(args, environment, TestContext.Current.CancellationToken);
        return (exit, output.ToString(), error.ToString());
    }

    private async Task<(int Exit, string Out, string Error)> RunProcessAsync(string stdin, params string[] args)
    {
        var run = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "tessera.dll"), .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            Environment =
            {
                ["DOTNET_NOLOGO"] = "1", ["TESSERA_CONFIG_DIR"] = _config,
                [CliEnvironment.UrlVariable] = server.Url.ToString(), [CliEnvironment.LicenseKeyVariable] = server.LicenseKey,
            },
        };
        using var process = Process.Start(run)!;
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(120)).Token);
        return (process.ExitCode, await output, await errors);
    }

    private static string Hint(string secret) => SecretFormat.Hint(secret);

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static string LookAlike(string secret) => secret[..^1] + (secret[^1] == 'A' ? 'B' : 'A');

    private static string RandomBase62(int length) =>
        string.Concat(Enumerable.Range(0, length).Select(_ => "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"[Random.Shared.Next(62)]));

    private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)];

    public void Dispose()
    {
        Directory.Delete(_tree, recursive: true);
        Directory.Delete(_config, recursive: true);
    }
}
