using System.CommandLine;
using System.Globalization;
using System.Net;
using Tessera.Client;
using Tessera.Contracts;

namespace Tessera.Cli;

/// <summary>
/// The <c>tessera</c> command line, entirely through <see cref="TesseraManagementClient"/>. Exit
/// codes: see <see cref="ExitCodes"/>. Secrets appear on stdout only where the API returns them once
/// (<c>tokens create</c>) and never in an error message.
/// </summary>
public static partial class TesseraCli
{
    public static async Task<int> RunAsync(string[] args, CliEnvironment environment, CancellationToken cancellationToken = default)
    {
        var root = Build(environment);
        var parse = root.Parse(args);
        var configuration = new InvocationConfiguration { Output = environment.Out, Error = environment.Error };
        if (parse.Errors.Count > 0 && !CommandLineErrors.IsCompletionRequest(args) && !HelpExamples.IsHelp(parse))
        {
            if (CommandLineErrors.IsMissingSubcommand(parse))
            {
                // "tessera tokens": the group's help, as a hint of what it holds.
                await root.Parse([.. args, "--help"]).InvokeAsync(configuration, cancellationToken);
                return ExitCodes.Usage;
            }
            await environment.Error.WriteLineAsync($"tessera: {CommandLineErrors.Describe(parse)}");
            return ExitCodes.Usage;
        }
        return await parse.InvokeAsync(configuration, cancellationToken);
    }

    public static RootCommand Build(CliEnvironment env)
    {
        var url = new Option<string?>("--url") { Description = "The Tessera server (default: $TESSERA_URL, else the last one 'tessera login' saved). A saved key is sent only to the server it was saved for.", Recursive = true };
        var format = new Option<string?>("--format")
        {
            Description = "table (aligned, fitted to the terminal; the default on a terminal), tsv (tab-separated, the default when piped), csv, or json.",
            Recursive = true,
        };
        format.AcceptOnlyFromAmong("table", "tsv", "csv", "json");
        var json = new Option<bool>("--json") { Description = "Short for --format json: the API's JSON (lists as one array).", Recursive = true };
        var cli = new Cli(env, url, format, json);

        var root = new RootCommand("Manage Tessera workloads and query tokens. Exit codes: 0 ok, 1 usage, 2 not found, 3 refused or conflict, 4 unreachable." + Examples(
            "echo \"$KEY\" | tessera login --url https://tessera.example.com",
            "tessera tokens create alice --workload llama-3 --quiet",
            "tessera tokens list --state usable --format csv > tokens.csv"))
        {
            url, format, json, cli.Login(), cli.Logout(), cli.WhoAmI(), cli.Workloads(), cli.Tokens(), cli.Keys(), cli.Audit(), cli.Webhooks(), cli.Members(), cli.Invitations(), cli.Scan(), Completion(env),
        };
        HelpExamples.Install(root);
        return root;
    }

    /// <summary>Examples for a command's help, written after its description (see <see cref="HelpExamples"/>).</summary>
    private static string Examples(params string[] lines) => HelpExamples.Lines(lines);

    private sealed partial class Cli(CliEnvironment env, Option<string?> urlOption, Option<string?> formatOption, Option<bool> jsonOption)
    {
        public Command Login()
        {
            var command = new Command("login", $"Check a license key against the server and save it for that server in {CliConfig.FileName} (mode 0600) under the user's config directory; " +
                                               "later commands go to the server logged in to last. A saved key is sent only to the server it was saved for; keys saved for other servers are kept. " +
                                               $"The key is read from ${CliEnvironment.LicenseKeyVariable}, else typed at a prompt (not shown) on a terminal, else from the first line of standard input." +
                                               Examples("tessera login --url https://tessera.example.com", "echo \"$KEY\" | tessera login --url http://localhost:5000"));
            command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken, requireLogin: false, async (client, output, session) =>
            {
                var account = await client.GetAccountAsync(cancellationToken);
                var saved = await CliConfig.LoadAsync(env.ConfigDirectory, cancellationToken) ?? new CliConfig();
                await saved.WithLogin(session.Url, session.LicenseKey).SaveAsync(env.ConfigDirectory, cancellationToken);
                output.Line($"Logged in to {session.Url} as {account.Name} ({account.Id}); saved to {CliConfig.PathIn(env.ConfigDirectory)}.");
                if (output.Json)
                {
                    output.Object(account, TesseraJsonContext.Default.AccountResponse);
                }
                return ExitCodes.Ok;
            }));
            return command;
        }

        /// <summary><c>--yes</c>: for a command that cannot be undone, run from a script.</summary>
        private static Option<bool> Yes => new("--yes", "-y") { Description = "Do not ask for confirmation (needed when standard input is not a terminal)." };

        /// <summary>
        /// Before a change that cannot be undone: passes with <c>--yes</c>; on a terminal asks <paramref name="question"/> on standard
        /// error and passes on "y" or "yes"; otherwise (a script without <c>--yes</c>) stops with exit 1, having changed nothing.
        /// </summary>
        private async Task ConfirmAsync(ParseResult parse, string question, CancellationToken cancellationToken)
        {
            if (parse.GetValue<bool>("--yes"))
            {
                return;
            }
            var command = CommandLineErrors.Path(parse.CommandResult.Command);
            if (!env.InIsTerminal)
            {
                throw new CliUsageException($"'{command}' cannot be undone: add --yes to run it without a terminal to confirm at.");
            }
            await env.Error.WriteAsync($"{question} [y/N] ");
            await env.Error.FlushAsync(cancellationToken);
            var answer = (await env.In.ReadLineAsync(cancellationToken))?.Trim();
            if (!string.Equals(answer, "y", StringComparison.OrdinalIgnoreCase) && !string.Equals(answer, "yes", StringComparison.OrdinalIgnoreCase))
            {
                throw new CliUsageException("not confirmed; nothing changed.");
            }
        }

        /// <summary>
        /// The format asked for (<c>--format</c>, or <c>--json</c>), else a table on a terminal and tab-separated lines when piped.
        /// A table fits the terminal's width, else <c>$COLUMNS</c>.
        /// </summary>
        private Output OutputFor(ParseResult parse)
        {
            var asked = parse.GetValue(formatOption) is { } named ? Enum.Parse<OutputFormat>(named, ignoreCase: true) : (OutputFormat?)null;
            if (parse.GetValue(jsonOption))
            {
                if (asked is not (null or OutputFormat.Json))
                {
                    throw new CliUsageException($"--json and --format {parse.GetValue(formatOption)} disagree; give one.");
                }
                asked = OutputFormat.Json;
            }
            var width = env.TerminalWidth ?? (int.TryParse(env.Variable("COLUMNS"), CultureInfo.InvariantCulture, out var columns) && columns > 0 ? columns : null);
            return new Output(env.Out, asked ?? (env.OutIsTerminal ? OutputFormat.Table : OutputFormat.Tsv), width);
        }

        /// <summary>Every workload's name by id, for tables that would otherwise show ids a person cannot read.</summary>
        private static async Task<IReadOnlyDictionary<string, string>> WorkloadNamesAsync(TesseraManagementClient client, CancellationToken cancellationToken) =>
            (await client.ListWorkloadsAsync(200, cancellationToken).ToListAsync(cancellationToken)).ToDictionary(w => w.Id, w => w.Name);

        /// <summary>A command on one token that prints the token as it is afterwards.</summary>
        private Task<int> TokenAsync(ParseResult parse, CancellationToken cancellationToken, Func<TesseraManagementClient, string, Task<TokenResponse>> action) =>
            RunAsync(parse, cancellationToken, async (client, output, _) =>
            {
                output.Token(await action(client, parse.GetValue<string>("token-id")!));
                return ExitCodes.Ok;
            });

        private Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken,
            Func<TesseraManagementClient, Output, Session, Task<int>> action) => RunAsync(parse, cancellationToken, true, action);

        private async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken, bool requireLogin,
            Func<TesseraManagementClient, Output, Session, Task<int>> action)
        {
            Session? session = null;
            try
            {
                session = await SessionAsync(parse, requireLogin, cancellationToken);
                using var client = new TesseraManagementClient(session.Url, session.LicenseKey);
                return await action(client, OutputFor(parse), session);
            }
            catch (CliUsageException e)
            {
                await env.Error.WriteLineAsync($"tessera: {e.Message}");
                return ExitCodes.Usage;
            }
            catch (TesseraApiException e)
            {
                await env.Error.WriteLineAsync($"tessera: {e.Message}");
                return e.StatusCode switch
                {
                    HttpStatusCode.NotFound => ExitCodes.NotFound,
                    HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity => ExitCodes.Usage,
                    >= HttpStatusCode.InternalServerError => ExitCodes.Unreachable,
                    _ => ExitCodes.Refused,
                };
            }
            catch (HttpRequestException e)
            {
                await env.Error.WriteLineAsync($"tessera: cannot reach {session?.Url}: {e.Message}");
                return ExitCodes.Unreachable;
            }
            catch (TimeoutException e)
            {
                await env.Error.WriteLineAsync($"tessera: {e.Message}");
                return ExitCodes.Unreachable;
            }
        }

        private async Task<Session> SessionAsync(ParseResult parse, bool requireLogin, CancellationToken cancellationToken)
        {
            var saved = await CliConfig.LoadAsync(env.ConfigDirectory, cancellationToken);
            var url = (parse.GetValue(urlOption) is { } given ? ParseUrl(given) : null)
                      ?? (env.Variable(CliEnvironment.UrlVariable) is { Length: > 0 } fromEnvironment ? ParseUrl(fromEnvironment) : null)
                      ?? (requireLogin && saved?.Url is { } savedUrl ? ParseUrl(savedUrl) : null)
                      ?? throw new CliUsageException(requireLogin
                          ? "not logged in: run 'tessera login --url URL' (or set TESSERA_URL and TESSERA_LICENSE_KEY)."
                          : "give the server with --url URL.");
            if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                throw new CliUsageException("--url must be an absolute http:// or https:// URL.");
            }
            // A key given for this command goes wherever the command goes; a saved one only to the server it was saved for.
            var key = env.Variable(CliEnvironment.LicenseKeyVariable) is { Length: > 0 } k ? k.Trim()
                : requireLogin ? saved?.KeyFor(url)
                : env.InIsTerminal ? Prompted(url, cancellationToken)
                : (await env.In.ReadLineAsync(cancellationToken))?.Trim();
            if (string.IsNullOrEmpty(key))
            {
                throw new CliUsageException(!requireLogin
                    ? $"no license key: type it at the prompt, pipe it to standard input or set {CliEnvironment.LicenseKeyVariable}."
                    : saved is { LicenseKeys.Count: > 0 }
                        ? $"no license key saved for {CliConfig.ServerKey(url)}; keys saved by 'tessera login' are sent only to their own server " +
                          $"({string.Join(", ", saved.LicenseKeys.Keys.Order(StringComparer.Ordinal))}). " +
                          $"Run 'tessera login --url {CliConfig.ServerKey(url)}' or set {CliEnvironment.LicenseKeyVariable} for this server."
                        : "not logged in: run 'tessera login --url URL' (or set TESSERA_LICENSE_KEY).");
            }
            return new Session(url, key);
        }

        /// <summary>At a terminal, <c>login</c> says what it waits for and reads the key without showing it.</summary>
        private string? Prompted(Uri url, CancellationToken cancellationToken)
        {
            env.Error.Write($"License key for {CliConfig.ServerKey(url)} (input hidden): ");
            env.Error.Flush();
            return env.ReadSecret(cancellationToken)?.Trim();
        }

        private static Uri ParseUrl(string value) =>
            Uri.TryCreate(value, UriKind.Absolute, out var url) ? url : throw new CliUsageException($"'{value}' is not an absolute URL.");

        private static async Task<string> ResolveWorkloadAsync(TesseraManagementClient client, string reference, CancellationToken cancellationToken)
        {
            if (reference.StartsWith("wl_", StringComparison.Ordinal))
            {
                return reference;
            }
            await foreach (var workload in client.ListWorkloadsAsync(200, cancellationToken))
            {
                if (string.Equals(workload.Name, reference, StringComparison.OrdinalIgnoreCase))
                {
                    return workload.Id;
                }
            }
            throw new TesseraApiException(HttpStatusCode.NotFound, "workload_not_found", $"No workload is named '{reference}'.");
        }

        private static DateTimeOffset? Instant(string? value, string what)
        {
            if (value is null)
            {
                return null;
            }
            return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant)
                ? instant.ToUniversalTime()
                : throw new CliUsageException($"{what}: '{value}' is not an instant; use RFC 3339, e.g. 2026-12-24T18:00:00Z.");
        }
    }

    private sealed record Session(Uri Url, string LicenseKey);

    private sealed class CliUsageException(string message) : Exception(message);
}
