using System.CommandLine;
using Tessera.Contracts;

namespace Tessera.Cli;

/// <summary><c>tessera keys</c> and <c>tessera audit</c> (issue 15): license keys with scopes, and the account's audit trail.</summary>
public static partial class TesseraCli
{
    private sealed partial class Cli
    {
        public Command Keys()
        {
            var name = new Argument<string>("name") { Description = "What the key is for (1–100 characters)." };
            var scope = new Option<string[]>("--scope")
            {
                Description = "A scope the key holds (repeat for several): tokens:read, tokens:write, workloads:read, workloads:write, audit:read, " +
                              "usage:read, webhooks:manage, keys:manage, gateway, or * for all. Default: the scopes of the key you use.",
                AllowMultipleArgumentsPerToken = true,
            };
            var workload = new Option<string[]>("--workload")
            {
                Description = "Bind the key to this workload (id or name; repeat for several): it sees and changes nothing else. Default: the workloads of the key you use.",
                AllowMultipleArgumentsPerToken = true,
            };
            var expires = new Option<string?>("--expires") { Description = "When the key stops working (RFC 3339). Default: never, or when the key you use does." };
            var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the secret." };
            var create = new Command("create", "Create a license key no wider than the one you use. Its secret is printed once, to standard output.")
            {
                name, scope, workload, expires, quiet,
            };
            create.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                var scopes = parse.GetValue(scope) is { Length: > 0 } given ? given : null;
                string[]? workloads = null;
                if (parse.GetValue(workload) is { Length: > 0 } references)
                {
                    workloads = new string[references.Length];
                    for (var i = 0; i < references.Length; i++)
                    {
                        workloads[i] = await ResolveWorkloadAsync(client, references[i], ct);
                    }
                }
                var created = await client.CreateLicenseKeyAsync(
                    new CreateLicenseKeyRequest(parse.GetValue(name)!, scopes, workloads, Instant(parse.GetValue(expires), "--expires")), ct);
                if (output.Json)
                {
                    output.Object(created, TesseraJsonContext.Default.CreatedLicenseKeyResponse);
                }
                else if (parse.GetValue(quiet))
                {
                    output.Always(created.Key);
                }
                else
                {
                    output.Keys([created]);
                    output.Line("");
                    output.Line("The secret, shown only this once:");
                    output.Always(created.Key);
                }
                return ExitCodes.Ok;
            }));

            var list = new Command("list", "List the account's license keys that the key you use may manage (hints only).");
            list.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                output.Keys(await client.ListLicenseKeysAsync(ct));
                return ExitCodes.Ok;
            }));

            var id = new Argument<string>("key-id") { Description = "The key's id (lic_…)." };
            var revoke = new Command("revoke", "Revoke a license key: refused from the very next request, for good. Asks first on a terminal; needs --yes otherwise." +
                                               Examples("tessera keys revoke lic_0192f0c0a0b07c3e", "tessera keys revoke lic_0192f0c0a0b07c3e --yes")) { id, Yes };
            revoke.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                await ConfirmAsync(parse, $"Revoke license key {parse.GetValue(id)}? Whatever uses it is refused from the next request, and it cannot be brought back.", ct);
                await client.RevokeLicenseKeyAsync(parse.GetValue(id)!, ct);
                output.Line($"Revoked {parse.GetValue(id)}.");
                return ExitCodes.Ok;
            }));
            return new Command("keys", "License keys: management access to the account, each with its scopes.") { create, list, revoke };
        }

        public Command Audit()
        {
            var action = new Option<string?>("--action") { Description = "Only this action, e.g. token.cancelled." };
            var objectId = new Option<string?>("--object") { Description = "Only entries about this object (tok_…, wl_…, lic_…)." };
            var key = new Option<string?>("--key") { Description = "Only entries made with this license key (lic_…)." };
            var from = new Option<string?>("--from") { Description = "Only entries at or after this RFC 3339 instant." };
            var to = new Option<string?>("--to") { Description = "Only entries before this RFC 3339 instant." };
            var limit = new Option<int?>("--limit") { Description = "Show at most this many entries (default: 50)." };
            var list = new Command("list", "The account's audit trail, newest first.") { action, objectId, key, from, to, limit };
            list.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                var max = parse.GetValue(limit) ?? 50;
                if (max < 1)
                {
                    throw new CliUsageException("--limit must be at least 1.");
                }
                var filter = new Client.AuditFilter
                {
                    Action = parse.GetValue(action),
                    ObjectId = parse.GetValue(objectId),
                    ActorId = parse.GetValue(key),
                    From = Instant(parse.GetValue(from), "--from"),
                    To = Instant(parse.GetValue(to), "--to"),
                    PageSize = Math.Min(max, 200),
                };
                output.Audit(await client.ListAuditAsync(filter, ct).Take(max).ToListAsync(ct));
                return ExitCodes.Ok;
            }));
            return new Command("audit", "The account's audit trail.") { list };
        }
    }
}
