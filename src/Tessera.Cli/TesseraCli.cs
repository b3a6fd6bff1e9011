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
        return await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = environment.Out, Error = environment.Error }, cancellationToken);
    }

    public static RootCommand Build(CliEnvironment env)
    {
        var url = new Option<string?>("--url") { Description = "The Tessera server (default: $TESSERA_URL, else the last one 'tessera login' saved). A saved key is sent only to the server it was saved for.", Recursive = true };
        var json = new Option<bool>("--json") { Description = "Write the API's JSON instead of a table (lists as one array).", Recursive = true };
        var cli = new Cli(env, url, json);

        var root = new RootCommand("Manage Tessera workloads and query tokens. Exit codes: 0 ok, 1 usage, 2 not found, 3 refused or conflict, 4 unreachable.")
        {
            url, json, cli.Login(), cli.Workloads(), cli.Tokens(), cli.Keys(), cli.Audit(), cli.Webhooks(), cli.Scan(),
        };
        return root;
    }

    private sealed partial class Cli(CliEnvironment env, Option<string?> urlOption, Option<bool> jsonOption)
    {
        public Command Login()
        {
            var command = new Command("login", $"Check a license key against the server and save it for that server in {CliConfig.FileName} (mode 0600) under the user's config directory; " +
                                               "later commands go to the server logged in to last. A saved key is sent only to the server it was saved for; keys saved for other servers are kept. " +
                                               $"The key is read from ${CliEnvironment.LicenseKeyVariable}, else from the first line of standard input.");
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
                output.Workload(await client.UpdateWorkloadAsync(id, name: parse.GetValue(newName), cancellationToken: ct));
                return ExitCodes.Ok;
            }));

            var delete = new Command("delete", "Delete a workload; its tokens survive, unassigned.") { workload };
            delete.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                var id = await ResolveWorkloadAsync(client, parse.GetValue(workload)!, ct);
                await client.DeleteWorkloadAsync(id, ct);
                output.Line($"Deleted workload {id}; its tokens are now unassigned.");
                return ExitCodes.Ok;
            }));

            return new Command("workloads", "Workloads: the models your end users query.") { list, create, rename, delete };
        }

        public Command Tokens()
        {
            var id = new Argument<string>("token-id") { Description = "The token's id (tok_…)." };
            var workloadOption = new Option<string?>("--workload") { Description = "A workload id (wl_…) or name." };

            var name = new Argument<string>("name") { Description = "The token's name (1–100 characters), e.g. the end user's." };
            var note = new Option<string?>("--note") { Description = "A note for you, up to 1000 characters." };
            var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the secret." };
            var create = new Command("create", "Issue a query token. Its secret is printed once, to standard output; Tessera keeps only a hash.")
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
            var state = new Option<string?>("--state") { Description = "usable, unassigned, expired or cancelled." };
            state.AcceptOnlyFromAmong("usable", "unassigned", "expired", "cancelled");
            var contains = new Option<string?>("--name-contains") { Description = "Name contains this text (case-insensitive; one or two characters: the name starts with them)." };
            var createdFrom = new Option<string?>("--created-from") { Description = "Created at or after this RFC 3339 instant." };
            var createdTo = new Option<string?>("--created-to") { Description = "Created before this RFC 3339 instant." };
            var expiresBefore = new Option<string?>("--expires-before") { Description = "Expiring before this RFC 3339 instant." };
            var sort = new Option<string?>("--sort") { Description = "createdAt (default, newest first), expiresAt, name or lastUsedAt." };
            sort.AcceptOnlyFromAmong("createdAt", "expiresAt", "name", "lastUsedAt");
            var limit = new Option<int?>("--limit") { Description = "Show at most this many tokens (default: all)." };
            var format = new Option<string?>("--format") { Description = "table (default) or csv: every matching token as CSV, streamed (--limit does not apply)." };
            format.AcceptOnlyFromAmong("table", "csv");
            var list = new Command("list", "List tokens, every page, with filters as the API takes them.")
            {
                listWorkload, status, state, contains, createdFrom, createdTo, expiresBefore, sort, limit, format,
            };
            list.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                var workload = parse.GetValue(listWorkload);
                var filter = new TokenListFilter
                {
                    Unassigned = workload == "none",
                    WorkloadId = workload is null or "none" ? null : await ResolveWorkloadAsync(client, workload, ct),
                    Status = parse.GetValue(status),
                    State = parse.GetValue(state),
                    NameContains = parse.GetValue(contains),
                    CreatedFrom = Instant(parse.GetValue(createdFrom), "--created-from"),
                    CreatedTo = Instant(parse.GetValue(createdTo), "--created-to"),
                    ExpiresBefore = Instant(parse.GetValue(expiresBefore), "--expires-before"),
                    Sort = parse.GetValue(sort),
                    PageSize = 200,
                };
                if (parse.GetValue(format) == "csv")
                {
                    await client.ExportTokensCsvAsync(filter, env.Out, ct);
                    return ExitCodes.Ok;
                }
                var max = parse.GetValue(limit);
                if (max is < 1)
                {
                    throw new CliUsageException("--limit must be at least 1.");
                }
                var tokens = client.ListTokensAsync(filter with { PageSize = Math.Min(max ?? 200, 200) }, ct);
                output.Tokens(await (max is { } m ? tokens.Take(m) : tokens).ToListAsync(ct));
                return ExitCodes.Ok;
            }));

            var show = new Command("show", "Show one token (never its secret).") { id };
            show.SetAction((parse, ct) => TokenAsync(parse, ct, (client, t) => client.GetTokenAsync(t, ct)));

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

            var delete = new Command("delete", "Delete a token; it stops working at once.") { id };
            delete.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                var tokenId = parse.GetValue(id)!;
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
                return await action(client, new Output(env.Out, parse.GetValue(jsonOption)), session);
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
                : (await env.In.ReadLineAsync(cancellationToken))?.Trim();
            if (string.IsNullOrEmpty(key))
            {
                throw new CliUsageException(!requireLogin
                    ? $"no license key: pipe it to standard input or set {CliEnvironment.LicenseKeyVariable}."
                    : saved is { LicenseKeys.Count: > 0 }
                        ? $"no license key saved for {CliConfig.ServerKey(url)}; keys saved by 'tessera login' are sent only to their own server " +
                          $"({string.Join(", ", saved.LicenseKeys.Keys.Order(StringComparer.Ordinal))}). " +
                          $"Run 'tessera login --url {CliConfig.ServerKey(url)}' or set {CliEnvironment.LicenseKeyVariable} for this server."
                        : "not logged in: run 'tessera login --url URL' (or set TESSERA_LICENSE_KEY).");
            }
            return new Session(url, key);
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
