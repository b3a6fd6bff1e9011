using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Tessera.Contracts;
using Tessera.Core.Secrets;
using Tessera.Server.Hosting;

namespace Tessera.Server.Tests.Operations;

/// <summary>
/// Issue 19 §2 and §4: the files an operator copies. The alert rules pass promtool and fire on the series they
/// should (promtool test rules); every series the dashboard and the rules name is served by a real server; the
/// Dockerfile builds in stages, runs as a non-root user with /data as a volume and a health check on /healthz,
/// with a .dockerignore that keeps build output and data out; the systemd unit passes systemd-analyze verify.
/// </summary>
public sealed partial class DeploymentExamplesTests : IDisposable
{
    private static readonly string Examples = Path.Combine(RepositoryRoot.Path, "examples");
    private readonly string _directory = Directory.CreateTempSubdirectory("tessera-examples-").FullName;

    [Fact]
    public async Task The_alert_rules_pass_promtool_and_fire_on_the_series_they_watch()
    {
        var promtool = Require("promtool", "prometheus");
        var folder = Path.Combine(Examples, "observability");

        var check = await RunAsync(promtool, folder, "check", "rules", "tessera-alerts.yml");
        Assert.True(check.ExitCode == 0, check.Output);
        var test = await RunAsync(promtool, folder, "test", "rules", "tessera-alerts.test.yml");
        Assert.True(test.ExitCode == 0, test.Output);
        foreach (var alert in new[] { "TesseraRefusalSpike", "TesseraDatabaseErrors", "TesseraChangeFeedLag", "TesseraUsageFlushLag", "TesseraWebhookFailures" })
        {
            Assert.Contains($"alertname: {alert}", await File.ReadAllTextAsync(Path.Combine(folder, "tessera-alerts.test.yml"), TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Every_series_the_dashboard_and_the_alerts_name_is_served_by_a_real_server()
    {
        var key = SecretFormat.Generate(SecretKind.LicenseKey);
        await using var server = await ServerProcess.StartAsync(_directory, new Dictionary<string, string>
        {
            ["Tessera__Database__ConnectionString"] = $"Data Source={Path.Combine(_directory, "t.db")}",
            ["Tessera__Bootstrap__LicenseKey"] = key,
        });
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var token = await (await client.PostJsonAsync("/v1/tokens", new { name = "scraped" })).ReadAsync<CreatedTokenResponse>(HttpStatusCode.Created);
        using var user = new HttpClient { BaseAddress = server.BaseAddress };
        user.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        // A verification (refused: the token is unassigned) so the latency histogram has buckets.
        Assert.Equal(HttpStatusCode.Unauthorized, (await user.PostAsync("/v1/handshake", null)).StatusCode);
        var metrics = await client.GetStringAsync("/metrics");

        var served = Series().Matches(metrics).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        var folder = Path.Combine(Examples, "observability");
        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in new[] { "tessera-dashboard.json", "tessera-alerts.yml" })
        {
            var text = await File.ReadAllTextAsync(Path.Combine(folder, file), TestContext.Current.CancellationToken);
            named.UnionWith(Named().Matches(text).Select(m => m.Value));
        }
        Assert.Contains("tessera_database_errors_total", named);
        Assert.Contains("http_server_request_duration_seconds_bucket", named);
        var missing = named.Where(n => !served.Contains(n)).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"named but not served: {string.Join(", ", missing)}");
    }

    [Fact]
    public async Task The_dockerfile_builds_in_stages_and_runs_as_a_non_root_user_with_a_data_volume_and_a_health_check()
    {
        var dockerfile = await File.ReadAllLinesAsync(Path.Combine(Examples, "docker-compose", "Dockerfile"), TestContext.Current.CancellationToken);
        var instructions = Instructions(dockerfile);
        Assert.Equal(2, instructions.Count(i => i.Name == "FROM"));
        var final = instructions.SkipWhile((_, index) => index <= instructions.FindLastIndex(i => i.Name == "FROM")).ToList();
        var user = Assert.Single(final, i => i.Name == "USER").Argument;
        Assert.DoesNotMatch("^(root|0)(:|$)", user);
        Assert.Contains(final, i => i.Name == "VOLUME" && i.Argument == "/data");
        Assert.Contains(final, i => i.Name == "HEALTHCHECK" && i.Argument.Contains("http://127.0.0.1:5000/healthz", StringComparison.Ordinal));
        Assert.Contains(final, i => i.Name == "EXPOSE" && i.Argument == "5000");
        // What the build stage copies exists, and nothing copies the whole context.
        foreach (var copy in instructions.Where(i => i.Name == "COPY" && !i.Argument.StartsWith("--from", StringComparison.Ordinal)))
        {
            var sources = copy.Argument.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1];
            Assert.All(sources, s => Assert.True(s != "." && Path.Exists(Path.Combine(RepositoryRoot.Path, s)), $"COPY {s}"));
        }
        // The settings it sets are settings Tessera reads.
        var environment = final.Where(i => i.Name == "ENV").SelectMany(i => EnvPair().Matches(i.Argument))
            .ToDictionary(m => m.Groups[1].Value.Replace("__", ":", StringComparison.Ordinal), m => (string?)m.Groups[2].Value.Trim('"'));
        Assert.Contains("Tessera:Database:ConnectionString", environment.Keys);
        Assert.Empty(UnknownSettings.Find(new ConfigurationBuilder().AddInMemoryCollection(environment).Build()));

        var ignored = (await File.ReadAllLinesAsync(Path.Combine(RepositoryRoot.Path, ".dockerignore"), TestContext.Current.CancellationToken)).Select(l => l.Trim()).ToList();
        foreach (var pattern in new[] { "**/bin/", "**/obj/", "**/data/", ".git/" })
        {
            Assert.Contains(pattern, ignored);
        }
    }

    [Fact]
    public async Task The_systemd_unit_passes_systemd_analyze_and_is_hardened()
    {
        var analyze = Require("systemd-analyze", "systemd");
        var unit = Path.Combine(Examples, "systemd", "tessera.service");

        var verify = await RunAsync(analyze, _directory, "verify", unit);
        Assert.True(verify.ExitCode == 0 && verify.Output.Trim().Length == 0, verify.Output);
        var text = await File.ReadAllTextAsync(unit, TestContext.Current.CancellationToken);
        foreach (var line in new[] { "DynamicUser=yes", "ProtectSystem=strict", "StateDirectory=tessera", "NoNewPrivileges=yes", "ProtectHome=yes", "PrivateTmp=yes" })
        {
            Assert.Contains(line, text.Split('\n'));
        }
    }

    [Fact]
    public async Task The_sdk_built_image_runs_as_a_non_root_user_on_port_5000_and_serves_from_its_own_root()
    {
        var ct = TestContext.Current.CancellationToken;
        foreach (var (program, package) in new[] { ("docker-registry", "docker-registry"), ("skopeo", "skopeo"), ("unshare", "util-linux") })
        {
            Require(program, package);
        }
        if (Environment.UserName != "root")
        {
            Assert.Skip("running the image in a chroot needs root (CI runs as root).");
        }
        var archive = Path.Combine(_directory, "tessera-image.tar");
        var build = await RunAsync(Path.Combine(RepositoryRoot.Path, "scripts", "container-image.sh"), _directory, TimeSpan.FromMinutes(15), archive);
        Assert.True(build.ExitCode == 0, build.Output);

        // What the SDK wrote: an OCI layout whose one manifest names the config and the layers.
        var layout = Directory.CreateDirectory(Path.Combine(_directory, "layout")).FullName;
        Assert.Equal(0, (await RunAsync("tar", layout, TimeSpan.FromMinutes(2), "-xf", archive)).ExitCode);
        JsonNode Blob(JsonNode descriptor) => JsonNode.Parse(File.ReadAllText(Path.Combine(layout, "blobs", "sha256", ((string)descriptor["digest"]!)["sha256:".Length..])))!;
        var manifest = Blob(JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(layout, "index.json"), ct))!["manifests"]![0]!);
        var config = Blob(manifest["config"]!)["config"]!;
        Assert.Equal("1654", (string?)config["User"]);
        Assert.Equal(["5000/tcp"], config["ExposedPorts"]!.AsObject().Select(p => p.Key));
        Assert.Equal(["/app/Tessera.Server"], config["Entrypoint"]!.AsArray().Select(e => (string?)e));
        var environment = config["Env"]!.AsArray().Select(e => ((string)e!).Split('=', 2)).ToDictionary(e => e[0], e => e[1]);
        Assert.Equal("Data Source=/data/tessera.db", environment["Tessera__Database__ConnectionString"]);

        // And it runs: the layers unpacked in order are the whole root of a process in a chroot, as that user.
        var root = Directory.CreateDirectory(Path.Combine(_directory, "root")).FullName;
        foreach (var layer in manifest["layers"]!.AsArray())
        {
            var blob = Path.Combine(layout, "blobs", "sha256", ((string)layer!["digest"]!)["sha256:".Length..]);
            Assert.Equal(0, (await RunAsync("tar", root, TimeSpan.FromMinutes(2), "--numeric-owner", "-xf", blob)).ExitCode);
        }
        Directory.CreateDirectory(Path.Combine(root, "proc"));
        Directory.CreateDirectory(Path.Combine(root, "dev"));
        var port = ServerProcess.FreePort();
        var key = SecretFormat.Generate(SecretKind.LicenseKey);
        var start = new ProcessStartInfo("unshare");
        foreach (var arg in new[] { "--mount", "--pid", "--fork", "--kill-child", "sh", "-c",
                     $"mount --bind /dev '{root}/dev' && mount -t proc proc '{root}/proc' && exec chroot --userspec={config["User"]}:1654 '{root}' {config["Entrypoint"]![0]}" })
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment.Clear();
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        start.Environment["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["Tessera__Bootstrap__LicenseKey"] = key;
        await using var server = await ServerProcess.StartAsync(start, port);

        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz", ct)).StatusCode);
        var token = await (await client.PostJsonAsync("/v1/tokens", new { name = "in-the-image" })).ReadAsync<CreatedTokenResponse>(HttpStatusCode.Created);
        Assert.Matches("^tsq_", token.Token);
        // The database is where the image says, written by the image's user.
        var owner = await RunAsync("stat", _directory, "-c", "%u", Path.Combine(root, "data", "tessera.db"));
        Assert.True(owner is (0, _) && owner.Output.Trim() == "1654", $"{owner.Output}\n{server.Stdout}\n{server.Stderr}");
    }

    private static List<(string Name, string Argument)> Instructions(string[] lines)
    {
        var joined = string.Join('\n', lines.Where(l => !l.TrimStart().StartsWith('#'))).Replace("\\\n", " ", StringComparison.Ordinal);
        return [.. joined.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()).Where(l => l.Length > 0)
            .Select(l => (l.Split(' ', 2)[0].ToUpperInvariant(), l.Split(' ', 2) is [_, var rest] ? Regex.Replace(rest.Trim(), @"\s+", " ") : ""))];
    }

    /// <summary>A program the test needs: its path; a skip without it locally, a failure under CI=true (scripts/test.sh installs it).</summary>
    private static string Require(string program, string package)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);
        if (path is null)
        {
            if (TestPostgres.InCi)
            {
                throw new InvalidOperationException($"CI=true and no {program}: scripts/test.sh installs the Debian package {package}.");
            }
            Assert.Skip($"{program} is not installed (Debian package {package}; scripts/test.sh installs it).");
        }
        return path;
    }

    private static Task<(int ExitCode, string Output)> RunAsync(string program, string directory, params string[] args) =>
        RunAsync(program, directory, TimeSpan.FromSeconds(60), args);

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, string directory, TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(timeout).Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    [GeneratedRegex(@"^([a-z_]+)\{", RegexOptions.Multiline)]
    private static partial Regex Series();

    [GeneratedRegex(@"\b(?:tessera|http_server|process|dotnet)_[a-z_]+\b")]
    private static partial Regex Named();

    [GeneratedRegex(@"(Tessera__[A-Za-z_]+|[A-Z_]+)=(""[^""]*""|\S+)")]
    private static partial Regex EnvPair();

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
