using System.Diagnostics;
using System.IO.Compression;
using System.Text.RegularExpressions;
using Tessera.Server.Tests.Infrastructure;

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
        var feed = Directory.CreateDirectory(Path.Combine(_work, "feed")).FullName;
        // The configuration this test assembly was built in: pack what that build made, without building again.
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        foreach (var project in new[] { "Tessera.Contracts", "Tessera.Client" })
        {
            await RunAsync("dotnet", RepositoryRoot.Path, "pack", Path.Combine("src", project, project + ".csproj"), "--no-build", "--nologo", "-c", configuration,
                "-o", feed, $"-p:Version={_version}");
        }
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

        var app = Directory.CreateDirectory(Path.Combine(_work, "app")).FullName;
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
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Tessera.Client" Version="{_version}" />
              </ItemGroup>
            </Project>
            """, Ct);
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

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

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
        foreach (var id in new[] { "tessera.client", "tessera.contracts" })
        {
            var installed = Path.Combine(cache, id, _version);
            if (Directory.Exists(installed))
            {
                Directory.Delete(installed, recursive: true);
            }
        }
    }
}
