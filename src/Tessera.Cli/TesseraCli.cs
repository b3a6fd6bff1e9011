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

        public Command Workloads()
        {
            var list = new Command("list", "List all workloads by name, with their token counts.");
            list.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                output.Workloads(await client.ListWorkloadsAsync(200, ct).ToListAsync(ct));
                return ExitCodes.Ok;
            }));

            var name = new Argument<string>("name") { Description = "The workload's name (1–100 characters, unique in the account)." };
            var description = new Option<string?>("--description") { Description = "Free text, up to 1000 characters." };
            var create = new Command("create", "Create a workload.") { name, description };
            create.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                output.Workload(await client.CreateWorkloadAsync(parse.GetValue(name)!, parse.GetValue(description), ct));
                return ExitCodes.Ok;
            }));

            var workload = new Argument<string>("workload") { Description = "The workload's id (wl_…) or name." };
            var newName = new Argument<string>("new-name") { Description = "The new name." };
            var rename = new Command("rename", "Rename a workload.") { workload, newName };
            rename.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                var id = await ResolveWorkloadAsync(client, parse.GetValue(workload)!, ct);
                output.Workload(await client.UpdateWorkloadAsync(id, new UpdateWorkloadRequest(Name: parse.GetValue(newName)), null, ct));
                return ExitCodes.Ok;
            }));

            var show = new Command("show", "Show one workload and its token counts." + Examples("tessera workloads show llama-3")) { workload };
            show.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                output.Workload(await client.GetWorkloadAsync(await ResolveWorkloadAsync(client, parse.GetValue(workload)!, ct), ct));
                return ExitCodes.Ok;
            }));

            var delete = new Command("delete", "Delete a workload; its tokens survive, unassigned. Asks first on a terminal; needs --yes otherwise." +
                                               Examples("tessera workloads delete llama-3", "tessera workloads delete wl_2x8Qm3 --yes")) { workload, Yes };
            delete.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                var id = await ResolveWorkloadAsync(client, parse.GetValue(workload)!, ct);
                await ConfirmAsync(parse, $"Delete workload {parse.GetValue(workload)} ({id})? Its tokens stay, unassigned, and are refused until assigned again.", ct);
                await client.DeleteWorkloadAsync(id, ct);
                output.Line($"Deleted workload {id}; its tokens are now unassigned.");
                return ExitCodes.Ok;
            }));

            return new Command("workloads", "Workloads: the models your end users query.") { list, show, create, rename, delete };
        }

        public Command Tokens()
        {
            var id = new Argument<string>("token-id") { Description = "The token's id (tok_…)." };
            var workloadOption = new Option<string?>("--workload") { Description = "A workload id (wl_…) or name." };

            var name = new Argument<string>("name") { Description = "The token's name (1–100 characters), e.g. the end user's." };
            var note = new Option<string?>("--note") { Description = "A note for you, up to 1000 characters." };
            var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the secret." };
            var create = new Command("create", "Issue a query token. Its secret is printed once, to standard output; Tessera keeps only a hash." +
                                               Examples("tessera tokens create alice --workload llama-3", "TOKEN=$(tessera tokens create alice --workload llama-3 --quiet)"))
            {
                name, workloadOption, note, quiet,
            };
            create.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                var workload = parse.GetValue(workloadOption) is { } w ? await ResolveWorkloadAsync(client, w, ct) : null;
                var created = await client.CreateTokenAsync(parse.GetValue(name)!, workload, parse.GetValue(note), ct);
                if (output.Json)
                {
                    output.Object(created, TesseraJsonContext.Default.CreatedTokenResponse);
                }
                else if (parse.GetValue(quiet))
                {
                    output.Always(created.Token);
                }
                else
                {
                    output.Token(created);
                    output.Line("");
                    output.Line("The secret, shown only this once:");
                    output.Always(created.Token);
                }
                return ExitCodes.Ok;
            }));

            var listWorkload = new Option<string?>("--workload") { Description = "Only tokens of this workload (id or name), or 'none' for unassigned ones." };
            var status = new Option<string?>("--status") { Description = "active or cancelled." };
            status.AcceptOnlyFromAmong("active", "cancelled");
            var state = new Option<string?>("--state") { Description = "usable, expiring (usable, and expiring within the first warning threshold), unassigned, expired or cancelled." };
            state.AcceptOnlyFromAmong("usable", "expiring", "unassigned", "expired", "cancelled");
            var contains = new Option<string?>("--name-contains") { Description = "Name contains this text (case-insensitive; one or two characters: the name starts with them)." };
            var createdFrom = new Option<string?>("--created-from") { Description = "Created at or after this RFC 3339 instant." };
            var createdTo = new Option<string?>("--created-to") { Description = "Created before this RFC 3339 instant." };
            var expiresBefore = new Option<string?>("--expires-before") { Description = "Expiring before this RFC 3339 instant." };
            var sort = new Option<string?>("--sort") { Description = "createdAt (default, newest first), expiresAt, name or lastUsedAt." };
            sort.AcceptOnlyFromAmong("createdAt", "expiresAt", "name", "lastUsedAt");
            var limit = new Option<int?>("--limit") { Description = "Show at most this many tokens (default: all; not with --format csv)." };
            var list = new Command("list", "List tokens, every page, with filters as the API takes them. --format csv streams the server's CSV export of every matching token." +
                                           Examples("tessera tokens list --workload llama-3 --state usable", "tessera tokens list --state expiring --sort expiresAt",
                                               "tessera tokens list --format csv > tokens.csv"))
            {
                listWorkload, status, state, contains, createdFrom, createdTo, expiresBefore, sort, limit,
            };
            list.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                var workload = parse.GetValue(listWorkload);
                var filter = new TokenListFilter
                {
                    Unassigned = workload == "none",
                    WorkloadId = workload is null or "none" ? null : await ResolveWorkloadAsync(client, workload, ct),
                    Status = parse.GetValue(status) is { } statusValue ? new TokenStatus(statusValue) : default(TokenStatus?),
                    State = parse.GetValue(state) is { } stateValue ? new TokenState(stateValue) : default(TokenState?),
                    NameContains = parse.GetValue(contains),
                    CreatedFrom = Instant(parse.GetValue(createdFrom), "--created-from"),
                    CreatedTo = Instant(parse.GetValue(createdTo), "--created-to"),
                    ExpiresBefore = Instant(parse.GetValue(expiresBefore), "--expires-before"),
                    Sort = parse.GetValue(sort) is { } sortValue ? new TokenSort(sortValue) : default(TokenSort?),
                    PageSize = 200,
                };
                var max = parse.GetValue(limit);
                if (output.Format == OutputFormat.Csv)
                {
                    if (max is not null)
                    {
                        throw new CliUsageException("--limit does not apply to --format csv, which exports every matching token; filter instead.");
                    }
                    await client.ExportTokensCsvAsync(filter, env.Out, ct);
                    return ExitCodes.Ok;
                }
                if (max is < 1)
                {
                    throw new CliUsageException("--limit must be at least 1.");
                }
                var tokens = client.ListTokensAsync(filter with { PageSize = Math.Min(max ?? 200, 200) }, ct);
                var page = await (max is { } m ? tokens.Take(m) : tokens).ToListAsync(ct);
                output.Tokens(page, output.Json || page.All(t => t.WorkloadId is null) ? null : await WorkloadNamesAsync(client, ct));
                return ExitCodes.Ok;
            }));

            var show = new Command("show", "Show one token (never its secret).") { id };
            show.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                var token = await client.GetTokenAsync(parse.GetValue(id)!, ct);
                output.Token(token, token.WorkloadId is { } workloadId && !output.Json ? (await client.GetWorkloadAsync(workloadId, ct)).Name : null);
                return ExitCodes.Ok;
            }));

            var newName = new Argument<string>("new-name") { Description = "The new name." };
            var rename = new Command("rename", "Rename a token.") { id, newName };
            rename.SetAction((parse, ct) => TokenAsync(parse, ct, (client, t) => client.UpdateTokenAsync(t, new UpdateTokenRequest(Name: parse.GetValue(newName)), null, ct)));

            var text = new Argument<string>("text") { Description = "The new note ('' clears it)." };
            var noteCommand = new Command("note", "Set a token's note.") { id, text };
            noteCommand.SetAction((parse, ct) => TokenAsync(parse, ct, (client, t) => client.UpdateTokenAsync(t, new UpdateTokenRequest(Note: parse.GetValue(text) ?? ""), null, ct)));

            var workloadArgument = new Argument<string>("workload") { Description = "A workload id (wl_…) or name." };
            var assign = new Command("assign", "Bind a token to a workload (its secret does not change).") { id, workloadArgument };
            assign.SetAction((parse, ct) => TokenAsync(parse, ct, async (client, t) =>
                await client.AssignTokenAsync(t, await ResolveWorkloadAsync(client, parse.GetValue(workloadArgument)!, ct), ct)));

            var unassign = new Command("unassign", "Park a token unassigned: refused until assigned again.") { id };
            unassign.SetAction((parse, ct) => TokenAsync(parse, ct, (client, t) => client.UnassignTokenAsync(t, ct)));

            var cancel = new Command("cancel", "Cancel a token: refused from the very next query.") { id };
            cancel.SetAction((parse, ct) => TokenAsync(parse, ct, (client, t) => client.CancelTokenAsync(t, ct)));

            var reactivate = new Command("reactivate", "Reactivate a cancelled token.") { id };
            reactivate.SetAction((parse, ct) => TokenAsync(parse, ct, (client, t) => client.ReactivateTokenAsync(t, ct)));

            var renew = new Command("renew", "Renew a token: it expires one lifetime from now.") { id };
            renew.SetAction((parse, ct) => TokenAsync(parse, ct, (client, t) => client.RenewTokenAsync(t, null, ct)));

            var at = new Argument<string>("instant") { Description = "An RFC 3339 instant within one lifetime from now, e.g. 2026-12-24T18:00:00Z." };
            var expireAt = new Command("expire-at", "Set when a token expires.") { id, at };
            expireAt.SetAction((parse, ct) => TokenAsync(parse, ct, (client, t) => client.SetTokenExpiryAsync(t, Instant(parse.GetValue(at), "instant")!.Value, ct)));

            var delete = new Command("delete", "Delete a token; it stops working at once and cannot be brought back. Asks first on a terminal; needs --yes otherwise." +
                                               Examples("tessera tokens delete tok_5Kd9wPq2", "tessera tokens delete tok_5Kd9wPq2 --yes")) { id, Yes };
            delete.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                var tokenId = parse.GetValue(id)!;
                await ConfirmAsync(parse, $"Delete token {tokenId}? It stops working at once and cannot be brought back (cancel it instead to keep that choice).", ct);
                await client.DeleteTokenAsync(tokenId, null, ct);
                output.Line($"Deleted token {tokenId}.");
                return ExitCodes.Ok;
            }));

            return new Command("tokens", "Query tokens: one per end user, bound to one workload.")
            {
                create, list, show, rename, noteCommand, assign, unassign, cancel, reactivate, renew, expireAt, delete, Import(),
            };
        }

        /// <summary>
        /// <c>tessera scan PATH…</c>: offline, prints <c>path:line: hint (kind)</c> per secret found (never the secret),
        /// exit 1 when any was found; with <c>--report</c> also sends each query token found to POST /v1/leaks.
        /// </summary>
        public Command Scan()
        {
            var paths = new Argument<string[]>("path") { Description = "Files, directories (searched recursively) or - for standard input.", Arity = ArgumentArity.OneOrMore };
            var report = new Option<bool>("--report") { Description = "Send every query token found to the server (POST /v1/leaks): it is cancelled unless the server only records leaks." };
            var command = new Command("scan", "Find Tessera secrets (prefix, length and checksum, so no false alarms) in files and standard input, offline; binary files are skipped. " +
                                              "Prints file:line and the hint, never the secret. Exit 0 when none is found, 1 when some are, 2 when a path does not exist.")
            {
                paths, report,
            };
            command.SetAction(async (parse, ct) =>
            {
                var scan = await SecretScanner.ScanAsync(parse.GetValue(paths)!, env.In, ct);
                foreach (var error in scan.Errors)
                {
                    await env.Error.WriteLineAsync($"tessera: {error}");
                }
                foreach (var finding in scan.Findings)
                {
                    await env.Out.WriteLineAsync(finding.ToString());
                }
                if (scan.SkippedBinary.Count > 0)
                {
                    await env.Error.WriteLineAsync($"tessera: skipped {scan.SkippedBinary.Count} binary file(s).");
                }
                var found = scan.Findings.Count > 0 ? ExitCodes.SecretsFound : scan.Errors.Count > 0 ? ExitCodes.NotFound : ExitCodes.Ok;
                var tokens = scan.Findings.Where(f => f.Kind == Core.Secrets.SecretKind.QueryToken).DistinctBy(f => f.Secret).ToList();
                if (!parse.GetValue(report) || tokens.Count == 0)
                {
                    return found;
                }
                var sent = await RunAsync(parse, ct, async (client, output, _) =>
                {
                    foreach (var token in tokens)
                    {
                        var answer = await client.ReportLeakAsync(token.Secret, null, "tessera scan", ct);
                        output.Line($"reported {token.Hint}: {answer.Label}{(answer.Action is { } action ? $" ({action})" : "")}");
                    }
                    return ExitCodes.Ok;
                });
                return sent == ExitCodes.Ok ? found : sent;
            });
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
