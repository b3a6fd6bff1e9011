using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CsvHelper;
using Tessera.Client;
using Tessera.Contracts;
using Tessera.Core.Secrets;

namespace Tessera.Cli.Tests;

/// <summary>
/// Issue 21, the CLI as a person at a terminal and a script at a pipe meet it: confirmation before what cannot be undone, a
/// prompt that does not echo the key, tables that fit the terminal and name workloads, tab-separated lines when piped,
/// <c>--format</c>, one-line errors with "did you mean", <c>whoami</c>, <c>logout</c>, <c>workloads show</c> and shell
/// completion. In-process (a terminal is what the environment says it is) and as a real process, against a real server.
/// </summary>
public sealed class CliTerminalTests(ProcessServer server) : IClassFixture<ProcessServer>, IDisposable
{
    private readonly string _config = Directory.CreateTempSubdirectory("tessera-cli-terminal-").FullName;

    private Dictionary<string, string> Session => new() { [CliEnvironment.UrlVariable] = server.Url.ToString(), [CliEnvironment.LicenseKeyVariable] = server.LicenseKey };

    private async Task<(int Exit, string Out, string Error)> RunAsync(Terminal terminal, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var variables = terminal.Variables ?? Session;
        var environment = new CliEnvironment(new StringReader(terminal.Typed), output, error, name => variables.GetValueOrDefault(name), _config)
        {
            InIsTerminal = terminal.IsTerminal,
            OutIsTerminal = terminal.IsTerminal,
            ErrorIsTerminal = terminal.IsTerminal,
            TerminalWidth = terminal.Width,
            ReadSecret = _ => terminal.Hidden,
        };
        var exit = await TesseraCli.RunAsync(args, environment, TestContext.Current.CancellationToken);
        return (exit, output.ToString(), error.ToString());
    }

    private Task<(int Exit, string Out, string Error)> PipedAsync(params string[] args) => RunAsync(new Terminal(false), args);

    private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)];

    [Fact]
    public async Task Deleting_a_token_asks_at_a_terminal_and_needs_yes_from_a_script()
    {
        using var client = server.Client();
        var token = await client.CreateTokenAsync(Unique("doomed"));

        var script = await PipedAsync("tokens", "delete", token.Id);
        Assert.Equal(ExitCodes.Usage, script.Exit);
        Assert.Contains("add --yes", script.Error, StringComparison.Ordinal);
        Assert.Equal("", script.Out);

        var declined = await RunAsync(new Terminal(true, Typed: "n\n"), "tokens", "delete", token.Id);
        Assert.Equal(ExitCodes.Usage, declined.Exit);
        Assert.Contains($"Delete token {token.Id}?", declined.Error, StringComparison.Ordinal);
        Assert.Contains("[y/N]", declined.Error, StringComparison.Ordinal);
        Assert.Contains("not confirmed; nothing changed", declined.Error, StringComparison.Ordinal);
        var unanswered = await RunAsync(new Terminal(true, Typed: ""), "tokens", "delete", token.Id); // end of input is no
        Assert.Equal(ExitCodes.Usage, unanswered.Exit);
        Assert.Equal(token.Id, (await client.GetTokenAsync(token.Id)).Id); // still there after three refusals

        var confirmed = await RunAsync(new Terminal(true, Typed: "yes\n"), "tokens", "delete", token.Id);
        Assert.True(confirmed.Exit == ExitCodes.Ok, confirmed.Error);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await Assert.ThrowsAsync<TesseraApiException>(() => client.GetTokenAsync(token.Id))).StatusCode);
    }

    [Fact]
    public async Task Deleting_a_workload_and_revoking_a_key_ask_first_too()
    {
        using var client = server.Client();
        var workload = await client.CreateWorkloadAsync(Unique("doomed"));
        var key = await client.CreateLicenseKeyAsync(Unique("doomed"));

        Assert.Equal(ExitCodes.Usage, (await PipedAsync("workloads", "delete", workload.Name)).Exit);
        Assert.Equal(ExitCodes.Usage, (await PipedAsync("keys", "revoke", key.Id)).Exit);
        var declined = await RunAsync(new Terminal(true, Typed: "no\n"), "workloads", "delete", workload.Name);
        Assert.Contains($"Delete workload {workload.Name} ({workload.Id})?", declined.Error, StringComparison.Ordinal);
        Assert.Equal(workload.Id, (await client.GetWorkloadAsync(workload.Id)).Id);
        Assert.Equal("active", (await client.ListLicenseKeysAsync()).Single(k => k.Id == key.Id).Status);

        Assert.Equal(ExitCodes.Ok, (await RunAsync(new Terminal(true, Typed: "y\n"), "workloads", "delete", workload.Name)).Exit);
        Assert.Equal(ExitCodes.Ok, (await PipedAsync("keys", "revoke", key.Id, "-y")).Exit);
        await Assert.ThrowsAsync<TesseraApiException>(() => client.GetWorkloadAsync(workload.Id));
        Assert.Equal("revoked", (await client.ListLicenseKeysAsync()).Single(k => k.Id == key.Id).Status);
    }

    [Fact]
    public async Task Login_at_a_terminal_prompts_and_takes_the_key_typed_without_echo()
    {
        var login = await RunAsync(new Terminal(true, Hidden: server.LicenseKey, Variables: []), "login", "--url", server.Url.ToString());

        Assert.True(login.Exit == 0, login.Error);
        Assert.Contains($"License key for {CliConfig.ServerKey(server.Url)} (input hidden): ", login.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(server.LicenseKey, login.Out + login.Error, StringComparison.Ordinal);
        Assert.Contains(server.LicenseKey, await File.ReadAllTextAsync(CliConfig.PathIn(_config), TestContext.Current.CancellationToken), StringComparison.Ordinal);

        var nothingTyped = await RunAsync(new Terminal(true, Hidden: "", Variables: []), "login", "--url", server.Url.ToString());
        Assert.Equal(ExitCodes.Usage, nothingTyped.Exit);
        Assert.Contains("no license key", nothingTyped.Error, StringComparison.Ordinal);
    }

    /// <summary>A real pseudo-terminal (Python's pty): what the terminal shows while the key is typed is the prompt, never the key.</summary>
    [Fact]
    public async Task Login_in_a_real_terminal_does_not_echo_the_key()
    {
        const string driver = """
                              import os, pty, sys, time
                              tool, url, key = sys.argv[1], sys.argv[2], sys.argv[3]
                              pid, fd = pty.fork()
                              if pid == 0:
                                  os.execvp("dotnet", ["dotnet", tool, "login", "--url", url])
                              seen = b""
                              def read_until(marker, seconds):
                                  global seen
                                  end = time.time() + seconds
                                  while marker not in seen and time.time() < end:
                                      try:
                                          chunk = os.read(fd, 4096)
                                      except OSError:
                                          return
                                      if not chunk:
                                          return
                                      seen += chunk
                              read_until(b"(input hidden): ", 120)
                              time.sleep(0.5)
                              os.write(fd, key.encode() + b"\r")
                              read_until(b"Logged in", 120)
                              _, status = os.waitpid(pid, 0)
                              sys.stdout.write(seen.decode("utf-8", "replace"))
                              sys.exit(os.waitstatus_to_exitcode(status))
                              """;
        var run = new ProcessStartInfo("python3", ["-c", driver, Path.Combine(AppContext.BaseDirectory, "tessera.dll"), server.Url.ToString(), server.LicenseKey])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
            Environment = { ["DOTNET_NOLOGO"] = "1", ["TESSERA_CONFIG_DIR"] = _config, ["TERM"] = "xterm" },
        };
        using var process = Process.Start(run)!;
        var transcript = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.True(process.ExitCode == 0, await transcript + await errors);
        Assert.Contains("(input hidden): ", await transcript, StringComparison.Ordinal);
        Assert.Contains("Logged in to", await transcript, StringComparison.Ordinal);
        Assert.DoesNotContain(server.LicenseKey[..12], await transcript, StringComparison.Ordinal); // not even the start of it
        Assert.Contains(server.LicenseKey, await File.ReadAllTextAsync(CliConfig.PathIn(_config), TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_table_fits_the_terminal_and_names_workloads_while_a_pipe_gets_every_field_tab_separated()
    {
        using var client = server.Client();
        var workload = await client.CreateWorkloadAsync(Unique("a-model-with-a-rather-long-name-for-a-narrow-terminal"));
        var prefix = Unique("tab");
        var token = await client.CreateTokenAsync(prefix + "-" + new string('n', 80), workload.Id, "a note\twith a tab\nand a line break");

        var table = await RunAsync(new Terminal(true, Width: 100), "tokens", "list", "--name-contains", prefix);
        Assert.True(table.Exit == 0, table.Error);
        var lines = table.Out.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.All(lines, l => Assert.True(l.Length <= 100, $"{l.Length} columns: {l}"));
        Assert.StartsWith("ID", lines[0], StringComparison.Ordinal);
        Assert.StartsWith(token.Id, lines[1], StringComparison.Ordinal); // ids are never cut
        Assert.Contains(workload.Name[..8], lines[1], StringComparison.Ordinal);
        Assert.DoesNotContain(workload.Id, lines[1], StringComparison.Ordinal);
        Assert.Contains("…", lines[1], StringComparison.Ordinal);

        var piped = await PipedAsync("tokens", "list", "--name-contains", prefix);
        var rows = piped.Out.TrimEnd('\n').Split('\n').Select(l => l.Split('\t')).ToList();
        Assert.Equal(2, rows.Count);
        var header = rows[0];
        Assert.Equal(header.Length, rows[1].Length);
        string Field(string name) => rows[1][Array.IndexOf(header, name)];
        Assert.Equal(token.Id, Field("ID"));
        Assert.Equal(token.Name, Field("NAME")); // whole, not cut
        Assert.Equal(workload.Name, Field("WORKLOAD"));
        Assert.Equal(workload.Id, Field("WORKLOAD ID"));
        Assert.Equal("a note with a tab and a line break", Field("NOTE"));

        var explicitTable = await PipedAsync("tokens", "list", "--name-contains", prefix, "--format", "table");
        Assert.StartsWith("ID  ", explicitTable.Out, StringComparison.Ordinal);
        var json = await PipedAsync("tokens", "list", "--name-contains", prefix, "--format", "json");
        Assert.Equal((await PipedAsync("tokens", "list", "--name-contains", prefix, "--json")).Out, json.Out);
        Assert.Equal(token.Id, Assert.Single(JsonSerializer.Deserialize<List<TokenResponse>>(json.Out, HttpExtensions.Json)!).Id);
        var both = await PipedAsync("tokens", "list", "--format", "csv", "--json");
        Assert.Equal(ExitCodes.Usage, both.Exit);
        Assert.Contains("--json and --format csv disagree", both.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csv_from_any_list_is_rfc4180_and_a_formula_shows_as_text()
    {
        using var client = server.Client();
        var workload = await client.CreateWorkloadAsync("=cmd|' /C calc'!A0 " + Guid.NewGuid().ToString("N")[..6], "quoted, \"with\" commas\nand lines");

        var csv = await PipedAsync("workloads", "list", "--format", "csv");

        Assert.True(csv.Exit == 0, csv.Error);
        using var reader = new CsvReader(new StringReader(csv.Out), CultureInfo.InvariantCulture);
        var records = reader.GetRecords<dynamic>().Cast<IDictionary<string, object>>().ToList();
        var row = Assert.Single(records, r => (string)r["ID"] == workload.Id);
        Assert.Equal("'" + workload.Name, row["NAME"]); // escaped as the server's export escapes it
        Assert.Equal(workload.Description, row["DESCRIPTION"]);
    }

    [Fact]
    public async Task A_bad_value_or_an_unknown_word_gets_one_line_naming_what_is_allowed_or_meant()
    {
        var state = await PipedAsync("tokens", "list", "--state", "bogus");
        Assert.Equal(ExitCodes.Usage, state.Exit);
        Assert.Equal("", state.Out);
        Assert.Equal("tessera: --state: 'bogus' is not one of cancelled, expired, expiring, unassigned, usable (see 'tessera tokens list --help').",
            state.Error.TrimEnd('\n'));

        var format = await PipedAsync("workloads", "list", "--format", "xml");
        Assert.Single(format.Error.TrimEnd('\n').Split('\n'));
        Assert.Contains("--format: 'xml' is not one of csv, json, table, tsv", format.Error, StringComparison.Ordinal);

        var command = await PipedAsync("tokns", "list");
        Assert.Equal(ExitCodes.Usage, command.Exit);
        Assert.Single(command.Error.TrimEnd('\n').Split('\n'));
        Assert.Contains("unknown command 'tokns'", command.Error, StringComparison.Ordinal);
        Assert.Contains("did you mean 'tokens'?", command.Error, StringComparison.Ordinal);

        var sub = await PipedAsync("workloads", "shwo");
        Assert.Contains("did you mean 'show'?", sub.Error, StringComparison.Ordinal);
        var option = await PipedAsync("tokens", "list", "--stat", "usable");
        Assert.Contains("unknown option '--stat'", option.Error, StringComparison.Ordinal);
        Assert.Contains("did you mean '--state'?", option.Error, StringComparison.Ordinal);
        var far = await PipedAsync("completely-different");
        Assert.DoesNotContain("did you mean", far.Error, StringComparison.Ordinal);
        Assert.All(new[] { state, format, command, sub, option, far }, run => Assert.DoesNotContain("Usage:", run.Out + run.Error, StringComparison.Ordinal));

        // A group named alone shows what it holds.
        var group = await PipedAsync("tokens");
        Assert.Equal(ExitCodes.Usage, group.Exit);
        Assert.Contains("Commands:", group.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refusal_names_the_servers_trace_id()
    {
        var refused = await PipedAsync("tokens", "rename", "tok_00000000000000000000000000000000", "x");

        Assert.Equal(ExitCodes.NotFound, refused.Exit);
        Assert.Matches(@"\(trace 00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]\)$", refused.Error.TrimEnd('\n'));
    }

    [Fact]
    public async Task Whoami_names_server_account_and_key_hint_and_logout_forgets_only_that_servers_key()
    {
        await using var other = await AuthorizationRecorder.StartAsync();
        var otherKey = SecretFormat.Generate(SecretKind.LicenseKey);
        var saved = new CliConfig().WithLogin(other.Url, otherKey).WithLogin(server.Url, server.LicenseKey);
        await saved.SaveAsync(_config, TestContext.Current.CancellationToken);
        var account = await server.Client().GetAccountAsync(TestContext.Current.CancellationToken);

        var who = await RunAsync(new Terminal(true, Variables: []), "whoami");
        Assert.True(who.Exit == 0, who.Error);
        Assert.Contains($"{account.Name} ({account.Id})", who.Out, StringComparison.Ordinal);
        Assert.Contains(SecretFormat.Hint(server.LicenseKey), who.Out, StringComparison.Ordinal);
        Assert.Contains("saved by 'tessera login'", who.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(server.LicenseKey, who.Out + who.Error, StringComparison.Ordinal);
        var whoJson = JsonSerializer.Deserialize<JsonElement>((await RunAsync(new Terminal(false, Variables: []), "whoami", "--json")).Out);
        Assert.Equal(account.Id, whoJson.GetProperty("account").GetProperty("id").GetString());
        Assert.Equal("$TESSERA_LICENSE_KEY", JsonSerializer.Deserialize<JsonElement>((await PipedAsync("whoami", "--json")).Out).GetProperty("keySource").GetString());

        var logout = await RunAsync(new Terminal(false, Variables: []), "logout");
        Assert.True(logout.Exit == 0, logout.Error);
        Assert.Contains($"Logged out of {CliConfig.ServerKey(server.Url)}", logout.Out, StringComparison.Ordinal);
        var file = await File.ReadAllTextAsync(CliConfig.PathIn(_config), TestContext.Current.CancellationToken);
        Assert.DoesNotContain(server.LicenseKey, file, StringComparison.Ordinal);
        Assert.Contains(otherKey, file, StringComparison.Ordinal); // another server's key stays
        var after = await RunAsync(new Terminal(false, Variables: []), "workloads", "list");
        Assert.Equal(ExitCodes.Usage, after.Exit);
        Assert.Contains("not logged in", after.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Ok, (await RunAsync(new Terminal(false, Variables: []), "logout", "--url", server.Url.ToString())).Exit); // again: nothing to forget
    }

    [Fact]
    public async Task Workloads_show_takes_a_name_or_an_id()
    {
        using var client = server.Client();
        var workload = await client.CreateWorkloadAsync(Unique("shown"), "described");
        await client.CreateTokenAsync(Unique("user"), workload.Id);

        var byName = await RunAsync(new Terminal(true), "workloads", "show", workload.Name);
        Assert.True(byName.Exit == 0, byName.Error);
        Assert.Matches($@"(?m)^id: +{workload.Id}$", byName.Out);
        Assert.Matches(@"(?m)^tokens: +1$", byName.Out);
        var byId = JsonSerializer.Deserialize<WorkloadResponse>((await PipedAsync("workloads", "show", workload.Id, "--json")).Out, HttpExtensions.Json)!;
        Assert.Equal(("described", 1), (byId.Description, byId.TokenCount));
        Assert.Equal(ExitCodes.NotFound, (await PipedAsync("workloads", "show", Unique("missing"))).Exit);
    }

    /// <summary>The bash script, sourced in a real bash, completes through the real tessera process.</summary>
    [Fact]
    public async Task Bash_completion_offers_commands_options_and_option_values()
    {
        var script = await PipedAsync("completion", "bash");
        Assert.True(script.Exit == 0, script.Error);
        var file = Path.Combine(_config, "tessera.bash");
        await File.WriteAllTextAsync(file, script.Out, TestContext.Current.CancellationToken);
        var tool = Path.Combine(AppContext.BaseDirectory, "tessera.dll");
        async Task<string[]> CompleteAsync(params string[] words)
        {
            var line = string.Join(' ', words);
            var program = $"tessera() {{ dotnet '{tool}' \"$@\"; }}\nsource '{file}'\n" +
                          $"COMP_LINE='{line}'; COMP_POINT={line.Length}; COMP_WORDS=({string.Join(' ', words.Select(w => $"'{w}'"))}); COMP_CWORD={words.Length - 1}\n" +
                          "_tessera_complete; printf '%s\\n' \"${COMPREPLY[@]}\"";
            var run = new ProcessStartInfo("bash", ["-c", program]) { RedirectStandardOutput = true, RedirectStandardError = true, Environment = { ["DOTNET_NOLOGO"] = "1" } };
            using var process = Process.Start(run)!;
            var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }

        Assert.Equal(["tokens"], await CompleteAsync("tessera", "tok"));
        Assert.Contains("whoami", await CompleteAsync("tessera", "w"));
        Assert.Equal(["expired", "expiring"], await CompleteAsync("tessera", "tokens", "list", "--state", "exp"));
        Assert.Contains("--name-contains", await CompleteAsync("tessera", "tokens", "list", "--n"));
        foreach (var shell in new[] { "zsh", "fish" })
        {
            var other = await PipedAsync("completion", shell);
            Assert.True(other.Exit == 0, other.Error);
            Assert.Contains("\"[suggest:", other.Out, StringComparison.Ordinal); // the same directive the bash script is shown to work with
        }
        Assert.Equal(ExitCodes.Usage, (await PipedAsync("completion", "powershell")).Exit);
    }

    public void Dispose() => Directory.Delete(_config, recursive: true);

    /// <param name="IsTerminal">Standard input, output and error are a terminal.</param>
    /// <param name="Typed">What the person types (answers to prompts), line by line.</param>
    /// <param name="Hidden">What they type at a prompt that hides it.</param>
    /// <param name="Width">The terminal's width.</param>
    /// <param name="Variables">Environment variables; null for the URL and key of the test server.</param>
    private sealed record Terminal(bool IsTerminal, string Typed = "", string? Hidden = null, int? Width = null, Dictionary<string, string>? Variables = null);
}
