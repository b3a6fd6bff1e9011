using System.Diagnostics;
using System.IO.Compression;
using System.Text.RegularExpressions;

namespace Tessera.Client.Tests;

/// <summary>
/// Issue 21 (SDK): the NuGet package as a user gets it. Packs Tessera.Client and Tessera.Contracts from this build into a
/// folder feed, installs them into a new console project outside the repository (no project reference, no central versions),
/// and runs the README's SDK example there against a real server process.
/// </summary>
public sealed partial class PackageTests(ProcessServer server) : IClassFixture<ProcessServer>, IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("tessera-pack-").FullName;
    private readonly string _version = $"0.0.0-pack.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";

    [Fact]
    public async Task The_packed_sdk_installs_into_a_new_project_and_runs_the_readme_example()
    {
        var feed = await PackAsync("Tessera.Contracts", "Tessera.Client");
        var package = Path.Combine(feed, $"Tessera.Client.{_version}.nupkg");
        using (var zip = ZipFile.OpenRead(package))
        {
            var entries = zip.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("README.md", entries);
            Assert.Contains("lib/net10.0/Tessera.Client.dll", entries);
            Assert.Contains("lib/net10.0/Tessera.Client.xml", entries); // IntelliSense docs travel with it
            using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
            Assert.Contains($"<dependency id=\"Tessera.Contracts\" version=\"{_version}\"", await nuspec.ReadToEndAsync(Ct), StringComparison.Ordinal);
        }

        var app = await NewProjectAsync(feed, "Microsoft.NET.Sdk", "Exe", "Tessera.Client");
        // The README's block as written, with the two values it says to supply taken from the command line.
        var readme = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "README.md"), Ct);
        var example = SdkExample().Match(readme).Groups[1].Value;
        Assert.StartsWith("using Tessera.Client;\n", example, StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"),
            example.Replace("using Tessera.Client;\n", "using Tessera.Client;\n\nvar tesseraUrl = new Uri(args[0]);\nvar licenseKey = args[1];\n", StringComparison.Ordinal) +
            "Console.WriteLine($\"handshake: {handshake.TokenName} at {handshake.Workload.Name}\");\n", Ct);

        var output = await RunAsync("dotnet", app, "run", "--", server.Url.ToString(), server.LicenseKey);

        Assert.Contains("handshake: token_name at model_name", output, StringComparison.Ordinal);
        Assert.DoesNotContain(server.LicenseKey, output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(app, "obj", "project.assets.json")));
        Assert.Contains($"\"Tessera.Client/{_version}\"", await File.ReadAllTextAsync(Path.Combine(app, "obj", "project.assets.json"), Ct), StringComparison.Ordinal);
    }

    /// <summary>
    /// Issue 16 and 21: the gateway package installed from the same kind of feed into a new web project, its README's
    /// example as the whole program, guarding a route by a real server's gateway feed.
    /// </summary>
    [Fact]
    public async Task The_packed_gateway_installs_into_a_new_web_project_and_guards_a_route()
    {
        var feed = await PackAsync("Tessera.Contracts", "Tessera.Core", "Tessera.Gateway");
        using (var zip = ZipFile.OpenRead(Path.Combine(feed, $"Tessera.Gateway.{_version}.nupkg")))
        {
            Assert.Contains("README.md", zip.Entries.Select(e => e.FullName));
            Assert.Contains("lib/net10.0/Tessera.Gateway.xml", zip.Entries.Select(e => e.FullName));
        }
        using var client = server.Client();
        var workload = await client.CreateWorkloadAsync($"gw-{Guid.NewGuid():N}"[..12], cancellationToken: Ct);
        var token = await client.CreateTokenAsync("gateway-user", workload.Id, cancellationToken: Ct);

        var app = await NewProjectAsync(feed, "Microsoft.NET.Sdk.Web", "Exe", "Tessera.Gateway");
        var readme = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "src", "Tessera.Gateway", "README.md"), Ct);
        var example = FirstCSharpBlock().Match(readme).Groups[1].Value;
        Assert.Contains("RequireTesseraToken(\"wl_0190...\")", example, StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"),
            "using Tessera.Gateway;\n\nvar builder = WebApplication.CreateBuilder(args);\n" +
            example.Replace("wl_0190...", workload.Id, StringComparison.Ordinal) +
            "app.Run();\n\nstatic string Chat() => \"model answer\";\n", Ct);
        await RunAsync("dotnet", app, "build", "--nologo", "-v", "q");

        var port = ServerProcess.FreePort();
        var run = new ProcessStartInfo("dotnet", ["run", "--no-build"])
        {
            WorkingDirectory = app, RedirectStandardOutput = true, RedirectStandardError = true,
            Environment =
            {
                ["DOTNET_NOLOGO"] = "1", ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
                ["Tessera__Url"] = server.Url.ToString(), ["Tessera__GatewayKey"] = server.LicenseKey,
            },
        };
        using var gateway = Process.Start(run)!;
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            async Task<(int Status, string Body)> ChatAsync()
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat") { Headers = { { "Authorization", $"Bearer {token.Token}" } } };
                try
                {
                    using var answer = await http.SendAsync(request, Ct);
                    return ((int)answer.StatusCode, await answer.Content.ReadAsStringAsync(Ct));
                }
                catch (HttpRequestException)
                {
                    return (0, ""); // not listening yet
                }
            }
            // Until the app listens and its replica is loaded (503 until then: fail closed); then the token passes.
            var (passed, _) = await Poll.UntilAsync(ChatAsync, r => r.Status is not (0 or 503), TimeSpan.FromMinutes(2));
            Assert.Equal((200, "model answer"), passed);

            using var refused = await http.PostAsync("/v1/chat", null, Ct);
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("token_missing", refused.Headers.GetValues("X-Tessera-Error").Single());
        }
        finally
        {
            gateway.Kill(entireProcessTree: true);
            await gateway.WaitForExitAsync(Ct);
        }
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Packs <paramref name="projects"/> from this build (the configuration this test assembly was built in, without building again) into a new folder feed.</summary>
    private async Task<string> PackAsync(params string[] projects)
    {
        var feed = Directory.CreateDirectory(Path.Combine(_work, "feed")).FullName;
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        foreach (var project in projects)
        {
            await RunAsync("dotnet", RepositoryRoot.Path, "pack", Path.Combine("src", project, project + ".csproj"), "--no-build", "--nologo", "-c", configuration,
                "-o", feed, $"-p:Version={_version}");
        }
        return feed;
    }

    /// <summary>A new project outside the repository (no central versions, no project references) that installs <paramref name="package"/> from <paramref name="feed"/>.</summary>
    private async Task<string> NewProjectAsync(string feed, string sdk, string outputType, string package)
    {
        var app = Directory.CreateDirectory(Path.Combine(_work, package)).FullName;
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="local" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="local"><package pattern="Tessera.*" /></packageSource>
                <packageSource key="nuget.org"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            </configuration>
            """, Ct);
        await File.WriteAllTextAsync(Path.Combine(app, "app.csproj"), $"""
            <Project Sdk="{sdk}">
              <PropertyGroup>
                <OutputType>{outputType}</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{package}" Version="{_version}" />
              </ItemGroup>
            </Project>
            """, Ct);
        return app;
    }

    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex FirstCSharpBlock();

    [GeneratedRegex(@"<!-- sdk-example -->\s*```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex SdkExample();

    private static async Task<string> RunAsync(string file, string directory, params string[] args)
    {
        var start = new ProcessStartInfo(file, args)
        {
            WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true,
            Environment = { ["DOTNET_NOLOGO"] = "1", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" },
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} in {directory} exited {process.ExitCode}:\n{await output}\n{await error}");
        return await output;
    }

    public void Dispose()
    {
        Directory.Delete(_work, recursive: true);
        // The packages this test installed are its own version: leave no trace of them in the machine's package cache.
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in new[] { "tessera.client", "tessera.contracts", "tessera.core", "tessera.gateway" })
        {
            var installed = Path.Combine(cache, id, _version);
            if (Directory.Exists(installed))
            {
                Directory.Delete(installed, recursive: true);
            }
        }
    }
}
