using System.CommandLine;
using Tessera.Client;
using Tessera.Contracts;

namespace Tessera.Cli;

/// <summary><c>tessera tokens</c>: query tokens, one per end user (create, list, show, change, cancel, renew, delete; import in TesseraCli.Import.cs).</summary>
public static partial class TesseraCli
{
    private sealed partial class Cli
    {
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
    }
}
