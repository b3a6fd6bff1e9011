using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Tessera.Client.Tests;

/// <summary>The README's client blocks, exercised as written: the SDK example compiled here, the CLI session run by bash with the built tool.</summary>
public sealed partial class ReadmeTests(ProcessServer server) : IClassFixture<ProcessServer>, IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("tessera-readme-").FullName;

    private static async Task<string> BlockAsync(string marker, string language)
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "README.md"));
        var block = Regex.Match(readme, $@"<!-- {marker} -->\s*```{language}\n(.*?)```", RegexOptions.Singleline);
        Assert.True(block.Success, $"README.md has a ```{language} block after <!-- {marker} -->");
        return block.Groups[1].Value;
    }

    /// <summary>The README's SDK example, line for line (the using directive sits at the top of this file).</summary>
    private static async Task SdkExampleAsync(Uri tesseraUrl, string licenseKey)
    {
        // <readme-sdk-example>
        // tesseraUrl: new Uri("http://localhost:5000"); licenseKey: the tsl_… key.
        using var client = new TesseraManagementClient(tesseraUrl, licenseKey);
        var modelId = await client.CreateModelAsync("model_name");
        var (tokenId, token) = await client.GenerateQueryTokenAsync(modelId, "token_name");

        // The end user's client presents the token...
        using var user = new TesseraQueryClient(tesseraUrl, token);
        var handshake = await user.HandshakeAsync();

        // ...and the provider lists, renews and cancels.
        await foreach (var t in client.ListTokensAsync(new TokenListFilter { WorkloadId = modelId, State = "usable" }))
        {
            await client.RenewTokenAsync(t.Id);
        }
        await client.CancelTokenAsync(tokenId);
        // </readme-sdk-example>

        Assert.Equal(("token_name", "model_name"), (handshake.TokenName, handshake.Workload.Name));
        var refused = await Assert.ThrowsAsync<TesseraApiException>(() => user.HandshakeAsync());
        Assert.Equal("token_cancelled", refused.Code);
    }

    [Fact]
    public async Task The_sdk_example_is_this_code_and_it_runs()
    {
        var readme = (await BlockAsync("sdk-example", "csharp")).Split('\n').ToList();
        Assert.Equal("using Tessera.Client;", readme[0]);
        var source = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "tests", "Tessera.Client.Tests", "ReadmeTests.cs"));
        var body = Regex.Match(source, @"// <readme-sdk-example>\n(.*?)\n\s*// </readme-sdk-example>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Equal(string.Join('\n', readme.Skip(2)).TrimEnd(), string.Join('\n', body.Split('\n').Select(l => l.Length >= 8 ? l[8..] : l.Trim())));

        await SdkExampleAsync(server.Url, server.LicenseKey);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_cli_session_runs_as_written_with_the_built_tool()
    {
        var session = await BlockAsync("cli-session", "bash");
        Assert.Contains("--url http://localhost:5000", session, StringComparison.Ordinal);
        session = session.Replace("http://localhost:5000", server.Url.ToString().TrimEnd('/'), StringComparison.Ordinal);
        var tool = Path.Combine(AppContext.BaseDirectory, "tessera.dll");
        var script = $"KEY='{server.LicenseKey}'\ntessera() {{ dotnet '{tool}' \"$@\"; }}\n{session}";

        var run = new ProcessStartInfo("bash", ["-euo", "pipefail", "-c", script])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            Environment = { ["HOME"] = _home, ["XDG_CONFIG_HOME"] = Path.Combine(_home, ".config"), ["DOTNET_NOLOGO"] = "1" },
        };
        using var process = Process.Start(run)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(120)).Token);

        Assert.True(process.ExitCode == 0, await output + await errors);
        var lines = (await output).Split('\n');
        Assert.Contains(lines, l => l.StartsWith("Logged in to", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("alice", StringComparison.Ordinal) && l.Contains("cancelled", StringComparison.Ordinal));
        Assert.DoesNotContain(server.LicenseKey, await output + await errors, StringComparison.Ordinal);
        var config = Path.Combine(_home, ".config", "tessera", "config.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config));
    }

    public void Dispose() => Directory.Delete(_home, recursive: true);
}
