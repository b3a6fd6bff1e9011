using System.Text.Json;
using Tessera.Client;
using Tessera.Contracts;
using Tessera.Core.Secrets;

namespace Tessera.Cli.Tests;

/// <summary>The tessera command line in-process (its System.CommandLine root), against a real server process.</summary>
public sealed class CliTests(ProcessServer server) : IClassFixture<ProcessServer>, IDisposable
{
    private readonly string _config = Directory.CreateTempSubdirectory("tessera-cli-").FullName;

    private async Task<(int Exit, string Out, string Error)> RunWithAsync(string stdin, Dictionary<string, string>? variables, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new CliEnvironment(new StringReader(stdin), output, error, name => variables?.GetValueOrDefault(name), _config);
        var exit = await TesseraCli.RunAsync(args, environment);
        return (exit, output.ToString(), error.ToString());
    }

    private Task<(int Exit, string Out, string Error)> RunAsync(params string[] args) =>
        RunWithAsync("", new() { [CliEnvironment.UrlVariable] = server.Url.ToString(), [CliEnvironment.LicenseKeyVariable] = server.LicenseKey }, args);

    private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)];

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Login_reads_the_key_from_stdin_checks_it_and_stores_it_for_the_user_only()
    {
        var login = await RunWithAsync(server.LicenseKey + "\n", null, "login", "--url", server.Url.ToString());

        Assert.True(login.Exit == 0, login.Error);
        Assert.DoesNotContain(server.LicenseKey, login.Out + login.Error, StringComparison.Ordinal);
        var file = CliConfig.PathIn(_config);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Contains(server.LicenseKey, await File.ReadAllTextAsync(file), StringComparison.Ordinal);

        // Later commands need neither the URL nor the key.
        var list = await RunWithAsync("", null, "workloads", "list");
        Assert.True(list.Exit == 0, list.Error);
        Assert.StartsWith("ID", list.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_with_a_wrong_key_is_refused_and_nothing_is_stored()
    {
        var wrong = "tsl_" + new string('0', 49);
        var login = await RunWithAsync("", new() { [CliEnvironment.LicenseKeyVariable] = wrong }, "login", "--url", server.Url.ToString());

        Assert.Equal(ExitCodes.Refused, login.Exit);
        Assert.Contains("license_key_", login.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, login.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(CliConfig.PathIn(_config)));
        Assert.Equal(ExitCodes.Usage, (await RunWithAsync("", null, "tokens", "list")).Exit); // not logged in
    }

    [Fact]
    public async Task A_saved_key_is_not_sent_to_another_server()
    {
        await using var other = await AuthorizationRecorder.StartAsync();
        Assert.Equal(0, (await RunWithAsync(server.LicenseKey + "\n", null, "login", "--url", server.Url.ToString())).Exit);
        // The listener writes down what it is sent: a key given for the command goes where the command goes.
        var given = SecretFormat.Generate(SecretKind.LicenseKey);
        Assert.Equal(ExitCodes.Refused, (await RunWithAsync("", new() { [CliEnvironment.LicenseKeyVariable] = given }, "tokens", "list", "--url", other.Url.ToString())).Exit);
        Assert.Equal([$"Bearer {given}"], other.Authorizations);

        var byOption = await RunWithAsync("", null, "tokens", "list", "--url", other.Url.ToString());
        var byVariable = await RunWithAsync("", new() { [CliEnvironment.UrlVariable] = other.Url.ToString() }, "workloads", "list");

        foreach (var refused in new[] { byOption, byVariable })
        {
            Assert.Equal(ExitCodes.Usage, refused.Exit);
            Assert.Contains($"no license key saved for {CliConfig.ServerKey(other.Url)}", refused.Error, StringComparison.Ordinal);
            Assert.Contains($"tessera login --url {CliConfig.ServerKey(other.Url)}", refused.Error, StringComparison.Ordinal);
            Assert.Equal("", refused.Out);
            Assert.DoesNotContain(server.LicenseKey, refused.Error, StringComparison.Ordinal);
        }
        Assert.Equal([$"Bearer {given}"], other.Authorizations); // nothing more reached it, the saved key least of all
        // Where it was saved for, the saved key still goes.
        var home = await RunWithAsync("", null, "tokens", "list", "--url", server.Url.ToString());
        Assert.True(home.Exit == 0, home.Error);
    }

    [Fact]
    public async Task Each_server_gets_the_key_saved_for_it_and_commands_go_to_the_last_one_logged_in_to()
    {
        await using var second = new ProcessServer();
        await second.InitializeAsync();
        Assert.Equal(0, (await RunWithAsync(server.LicenseKey + "\n", null, "login", "--url", server.Url.ToString())).Exit);
        Assert.Equal(0, (await RunWithAsync(second.LicenseKey + "\n", null, "login", "--url", second.Url.ToString())).Exit);

        var name = Unique("wl");
        var created = await RunWithAsync("", null, "workloads", "create", name);

        // Each server accepts only its own key: a success on each proves each was sent its own.
        Assert.True(created.Exit == 0, created.Error);
        var onSecond = await RunWithAsync("", null, "workloads", "list", "--url", second.Url.ToString());
        var onFirst = await RunWithAsync("", null, "workloads", "list", "--url", server.Url.ToString());
        Assert.True(onSecond.Exit == 0 && onFirst.Exit == 0, onSecond.Error + onFirst.Error);
        Assert.Contains(name, onSecond.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(name, onFirst.Out, StringComparison.Ordinal);
        var saved = await File.ReadAllTextAsync(CliConfig.PathIn(_config), TestContext.Current.CancellationToken);
        Assert.Contains(server.LicenseKey, saved, StringComparison.Ordinal);
        Assert.Contains(second.LicenseKey, saved, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_is_the_same_however_its_url_is_spelled()
    {
        var plain = $"http://127.0.0.1:{server.Url.Port}";
        Assert.Equal(0, (await RunWithAsync(server.LicenseKey + "\n", null, "login", "--url", plain)).Exit);

        foreach (var spelling in new[] { plain + "/", $"HTTP://127.0.0.1:{server.Url.Port}/", $"http://127.0.0.1:{server.Url.Port}/?from=script" })
        {
            var list = await RunWithAsync("", null, "workloads", "list", "--url", spelling);
            Assert.True(list.Exit == 0, $"{spelling}: {list.Error}");
        }
        // Names are not resolved: localhost is another server as far as saved keys go.
        Assert.Equal(ExitCodes.Usage, (await RunWithAsync("", null, "workloads", "list", "--url", $"http://localhost:{server.Url.Port}")).Exit);
    }

    [Theory]
    [InlineData("http://Tessera.Example", "http://tessera.example/")]
    [InlineData("HTTP://tessera.example:80/", "http://tessera.example/")]
    [InlineData("https://tessera.example:443", "https://tessera.example/")]
    [InlineData("https://tessera.example:8443", "https://tessera.example:8443/")]
    [InlineData("http://tessera.example:443", "http://tessera.example:443/")]
    [InlineData("http://tessera.example/base//", "http://tessera.example/base/")]
    [InlineData("http://tessera.example/base", "http://tessera.example/base/")]
    [InlineData("http://user:secret@tessera.example/?q=1#f", "http://tessera.example/")]
    [InlineData("http://[::1]:5000", "http://[::1]:5000/")]
    public void Urls_are_compared_by_scheme_host_port_and_path(string url, string key) =>
        Assert.Equal(key, CliConfig.ServerKey(new Uri(url)));

    [Fact]
    public async Task A_config_from_before_per_server_keys_keeps_its_key_for_its_own_server_only()
    {
        await using var other = await AuthorizationRecorder.StartAsync();
        var file = CliConfig.PathIn(_config);
        await File.WriteAllTextAsync(file, $$"""{"url": "{{server.Url}}", "licenseKey": "{{server.LicenseKey}}"}""", TestContext.Current.CancellationToken);

        var home = await RunWithAsync("", null, "workloads", "list");
        var elsewhere = await RunWithAsync("", null, "workloads", "list", "--url", other.Url.ToString());

        Assert.True(home.Exit == 0, home.Error);
        Assert.Equal(ExitCodes.Usage, elsewhere.Exit);
        Assert.DoesNotContain(server.LicenseKey, elsewhere.Error, StringComparison.Ordinal);
        Assert.Empty(other.Authorizations);

        // The next login writes the per-server shape; the old top-level key is gone, not left to be misread.
        Assert.Equal(0, (await RunWithAsync(server.LicenseKey + "\n", null, "login", "--url", server.Url.ToString())).Exit);
        using var saved = JsonDocument.Parse(await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken));
        Assert.False(saved.RootElement.TryGetProperty("licenseKey", out _));
        Assert.Equal(server.LicenseKey, saved.RootElement.GetProperty("licenseKeys").GetProperty(CliConfig.ServerKey(server.Url)).GetString());
    }

    [Fact]
    public async Task Workloads_are_created_listed_renamed_and_deleted()
    {
        var name = Unique("wl");
        var created = await RunAsync("workloads", "create", name, "--description", "Chat model", "--json");
        Assert.True(created.Exit == 0, created.Error);
        var workload = JsonSerializer.Deserialize(created.Out, TesseraJsonContext.Default.WorkloadResponse)!;
        Assert.Equal((name, "Chat model"), (workload.Name, workload.Description));

        Assert.Equal(ExitCodes.Refused, (await RunAsync("workloads", "create", name.ToUpperInvariant())).Exit);
        Assert.Contains(name, (await RunAsync("workloads", "list")).Out, StringComparison.Ordinal);

        var renamed = await RunAsync("workloads", "rename", name, name + "-2");
        Assert.True(renamed.Exit == 0, renamed.Error);
        Assert.Contains(name + "-2", renamed.Out, StringComparison.Ordinal);

        Assert.Equal(0, (await RunAsync("workloads", "delete", workload.Id, "--yes")).Exit);
        Assert.Equal(ExitCodes.NotFound, (await RunAsync("workloads", "delete", workload.Id, "--yes")).Exit);
        Assert.Equal(ExitCodes.NotFound, (await RunAsync("workloads", "rename", name, "x")).Exit);
    }

    [Fact]
    public async Task Every_token_command_works_and_json_output_is_the_api_shape()
    {
        var w1 = Unique("w1");
        var w2 = Unique("w2");
        await RunAsync("workloads", "create", w1);
        await RunAsync("workloads", "create", w2);

        var quiet = await RunAsync("tokens", "create", "alice", "--workload", w1, "--note", "VIP", "--quiet");
        Assert.True(quiet.Exit == 0, quiet.Error);
        var secret = quiet.Out.Trim();
        Assert.Matches("^tsq_[0-9A-Za-z]{49}$", secret);
        using var user = new TesseraQueryClient(server.Url, secret);
        var id = (await user.HandshakeAsync()).TokenId;

        var human = await RunAsync("tokens", "create", "bob", "--workload", w1);
        Assert.Single(human.Out.Split('\n'), l => l.StartsWith("tsq_", StringComparison.Ordinal));
        Assert.Contains("shown only this once", human.Out, StringComparison.Ordinal);

        var listed = await RunAsync("tokens", "list", "--workload", w1, "--sort", "name", "--json");
        var tokens = JsonSerializer.Deserialize<List<TokenResponse>>(listed.Out, HttpExtensions.Json)!;
        Assert.Equal(["alice", "bob"], tokens.Select(t => t.Name));
        Assert.DoesNotContain("tsq_", listed.Out.Replace("tsq_\\u2026", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Single(JsonSerializer.Deserialize<List<TokenResponse>>((await RunAsync("tokens", "list", "--workload", w1, "--limit", "1", "--json")).Out,
            HttpExtensions.Json)!);

        async Task<TokenResponse> Json(params string[] args)
        {
            var run = await RunAsync([.. args, "--json"]);
            Assert.True(run.Exit == 0, $"{string.Join(' ', args)}: {run.Error}");
            return JsonSerializer.Deserialize(run.Out, TesseraJsonContext.Default.TokenResponse)!;
        }
        Assert.Equal("VIP", (await Json("tokens", "show", id)).Note);
        Assert.Equal("alice-2", (await Json("tokens", "rename", id, "alice-2")).Name);
        Assert.Equal("", (await Json("tokens", "note", id, "")).Note);
        var w2Id = (await Json("tokens", "assign", id, w2)).WorkloadId;
        Assert.Equal(w2Id, (await user.HandshakeAsync()).Workload.Id);
        Assert.Equal("unassigned", (await Json("tokens", "unassign", id)).State);
        Assert.Contains(id, (await RunAsync("tokens", "list", "--workload", "none")).Out, StringComparison.Ordinal);
        await Json("tokens", "assign", id, w2Id!);
        Assert.Equal("cancelled", (await Json("tokens", "cancel", id)).State);
        Assert.Equal(ExitCodes.Refused, (await RunAsync("tokens", "renew", id)).Exit); // 409 token_cancelled
        Assert.Equal("usable", (await Json("tokens", "reactivate", id)).State);
        var at = TimeProvider.System.GetUtcNow().AddDays(1);
        Assert.Equal(at.ToUnixTimeMilliseconds() / 1000, (await Json("tokens", "expire-at", id, at.ToString("O"))).ExpiresAt.ToUnixTimeMilliseconds() / 1000);
        Assert.True((await Json("tokens", "renew", id)).ExpiresAt > at);
        Assert.Matches(@"(?m)^state\t\w+$", (await RunAsync("tokens", "show", id)).Out); // piped: name TAB value

        Assert.Equal(0, (await RunAsync("tokens", "delete", id, "--yes")).Exit);
        Assert.Equal(ExitCodes.NotFound, (await RunAsync("tokens", "show", id)).Exit);
        var refused = await Assert.ThrowsAsync<TesseraApiException>(() => user.HandshakeAsync());
        Assert.Equal("token_unknown", refused.Code);
    }

    [Fact]
    public async Task Exit_codes_say_usage_not_found_refused_and_unreachable()
    {
        Assert.Equal(ExitCodes.Usage, (await RunAsync("tokens", "frobnicate")).Exit);
        Assert.Equal(ExitCodes.Usage, (await RunAsync("tokens", "list", "--status", "paused")).Exit);
        Assert.Equal(ExitCodes.Usage, (await RunAsync("tokens", "list", "--created-from", "yesterday")).Exit);
        Assert.Equal(ExitCodes.Usage, (await RunAsync("tokens", "create", new string('x', 101))).Exit); // 422
        Assert.Equal(ExitCodes.NotFound, (await RunAsync("tokens", "show", "tok_00000000000000000000000000000000")).Exit);
        Assert.Equal(ExitCodes.NotFound, (await RunAsync("tokens", "create", "x", "--workload", Unique("missing"))).Exit);
        var expireTooLate = await RunAsync("tokens", "create", "late", "--quiet");
        Assert.Equal(ExitCodes.Ok, expireTooLate.Exit);

        var unreachable = await RunWithAsync("", new() { [CliEnvironment.LicenseKeyVariable] = server.LicenseKey }, "--url", "http://127.0.0.1:1", "tokens", "list");
        Assert.Equal(ExitCodes.Unreachable, unreachable.Exit);
        Assert.Contains("cannot reach", unreachable.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(server.LicenseKey, unreachable.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("login")]
    [InlineData("workloads")]
    [InlineData("workloads list")]
    [InlineData("workloads create")]
    [InlineData("workloads rename")]
    [InlineData("workloads delete")]
    [InlineData("workloads show")]
    [InlineData("whoami")]
    [InlineData("logout")]
    [InlineData("completion")]
    [InlineData("tokens")]
    [InlineData("tokens create")]
    [InlineData("tokens list")]
    [InlineData("tokens show")]
    [InlineData("tokens rename")]
    [InlineData("tokens note")]
    [InlineData("tokens assign")]
    [InlineData("tokens unassign")]
    [InlineData("tokens cancel")]
    [InlineData("tokens reactivate")]
    [InlineData("tokens renew")]
    [InlineData("tokens expire-at")]
    [InlineData("tokens delete")]
    [InlineData("tokens import")]
    [InlineData("keys create")]
    [InlineData("keys revoke")]
    [InlineData("audit list")]
    [InlineData("scan")]
    public async Task Every_command_has_help(string command)
    {
        var help = await RunAsync([.. command.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"]);

        Assert.Equal(0, help.Exit);
        Assert.Contains("Usage:", help.Out, StringComparison.Ordinal);
        // In-process the root is named after the test host; the command path after it is what matters.
        Assert.Contains(command, help.Out.Split('\n').SkipWhile(l => !l.StartsWith("Usage:", StringComparison.Ordinal)).ElementAt(1), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_config, recursive: true);
}
