using System.CommandLine;
using System.Net;
using Tessera.Client;
using Tessera.Contracts;

namespace Tessera.Cli;

/// <summary><c>tessera members</c> and <c>tessera invitations</c> (issue 22): the people of the account, automated.</summary>
public static partial class TesseraCli
{
    private sealed partial class Cli
    {
        private const string RoleNames = "owner, admin, developer or viewer";

        public Command Members()
        {
            var list = new Command("list", "List the account's members (those within the role and workloads of the key you use)." +
                                           Examples("tessera members list", "tessera members list --format csv > members.csv"));
            list.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                output.Members(await client.ListMembersAsync(ct));
                return ExitCodes.Ok;
            }));

            var email = new Argument<string>("email") { Description = "The person's email address." };
            var role = new Option<string>("--role") { Description = $"Their role: {RoleNames}.", Required = true };
            role.AcceptOnlyFromAmong("owner", "admin", "developer", "viewer");
            var name = new Option<string?>("--name") { Description = "The name they start with (they may give another when they join)." };
            var workload = new Option<string[]>("--workload")
            {
                Description = "Bind them to this workload (id or name; repeat for several). Default: the workloads of the key you use.",
                AllowMultipleArgumentsPerToken = true,
            };
            var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the link." };
            var invite = new Command("invite", "Invite a person by email with a role. The one-time link (valid 7 days) is printed once, to standard output." +
                                               Examples("tessera members invite ada@example.com --role developer",
                                                   "tessera members invite grace@example.com --role viewer --workload llama-3 --quiet"))
            {
                email, role, name, workload, quiet,
            };
            invite.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                string[]? workloads = null;
                if (parse.GetValue(workload) is { Length: > 0 } references)
                {
                    workloads = new string[references.Length];
                    for (var i = 0; i < references.Length; i++)
                    {
                        workloads[i] = await ResolveWorkloadAsync(client, references[i], ct);
                    }
                }
                var created = await client.InviteAsync(new CreateInvitationRequest(parse.GetValue(email)!, parse.GetValue(role)!, parse.GetValue(name), workloads), ct);
                if (output.Json)
                {
                    output.Object(created, TesseraJsonContext.Default.CreatedInvitationResponse);
                }
                else if (parse.GetValue(quiet))
                {
                    output.Always(created.Link);
                }
                else
                {
                    output.Invitations([created]);
                    output.Line("");
                    output.Line("The link, shown only this once (send it to them; it works once, for 7 days):");
                    output.Always(created.Link);
                }
                return ExitCodes.Ok;
            }));

            var member = new Argument<string>("member") { Description = "The member's id (mem_…) or email." };
            var newRole = new Argument<string>("role") { Description = $"The new role: {RoleNames}." };
            newRole.AcceptOnlyFromAmong("owner", "admin", "developer", "viewer");
            var setRole = new Command("set-role", "Change a member's role; their console sessions end at their next request. The last owner stays owner." +
                                                  Examples("tessera members set-role ada@example.com admin", "tessera members set-role mem_0192f0c0a0b07c3e viewer"))
            {
                member, newRole,
            };
            setRole.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                var id = await ResolveMemberAsync(client, parse.GetValue(member)!, ct);
                output.Members([await client.UpdateMemberAsync(id, new UpdateMemberRequest(Role: parse.GetValue(newRole)), ct)]);
                return ExitCodes.Ok;
            }));

            var remove = new Command("remove", "Remove a member: their sessions end, and single sign-on does not bring them back. Not the last owner. " +
                                               "Asks first on a terminal; needs --yes otherwise." +
                                               Examples("tessera members remove ada@example.com", "tessera members remove mem_0192f0c0a0b07c3e --yes"))
            {
                member, Yes,
            };
            remove.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                var id = await ResolveMemberAsync(client, parse.GetValue(member)!, ct);
                await ConfirmAsync(parse, $"Remove member {parse.GetValue(member)} ({id})? They lose access at their next request; only a new invitation brings them back.", ct);
                await client.RemoveMemberAsync(id, ct);
                output.Line($"Removed member {id}.");
                return ExitCodes.Ok;
            }));
            return new Command("members", "The people of the account: each signs in to the console as themselves, with a role.")
            {
                list, invite, setRole, remove,
            };
        }

        public Command Invitations()
        {
            var list = new Command("list", "List the account's invitations (pending, accepted, expired); never their links." + Examples("tessera invitations list"));
            list.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                output.Invitations(await client.ListInvitationsAsync(ct));
                return ExitCodes.Ok;
            }));
            var id = new Argument<string>("invitation-id") { Description = "The invitation's id (inv_…)." };
            var revoke = new Command("revoke", "Revoke a pending invitation: its link stops working, for good. Asks first on a terminal; needs --yes otherwise." +
                                               Examples("tessera invitations revoke inv_0192f0c0a0b07c3e", "tessera invitations revoke inv_0192f0c0a0b07c3e --yes"))
            {
                id, Yes,
            };
            revoke.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                await ConfirmAsync(parse, $"Revoke invitation {parse.GetValue(id)}? Its link stops working and cannot be brought back.", ct);
                await client.RevokeInvitationAsync(parse.GetValue(id)!, ct);
                output.Line($"Revoked {parse.GetValue(id)}.");
                return ExitCodes.Ok;
            }));
            return new Command("invitations", "Invitations to become a member (create one with 'tessera members invite').") { list, revoke };
        }

        /// <summary>A member by id, or by email (any case) among those the key may see.</summary>
        private static async Task<string> ResolveMemberAsync(TesseraManagementClient client, string reference, CancellationToken cancellationToken)
        {
            if (reference.StartsWith("mem_", StringComparison.Ordinal))
            {
                return reference;
            }
            return (await client.ListMembersAsync(cancellationToken)).FirstOrDefault(m => string.Equals(m.Email, reference, StringComparison.OrdinalIgnoreCase))?.Id
                   ?? throw new TesseraApiException(HttpStatusCode.NotFound, "member_not_found", $"No member has the address '{reference}'.");
        }
    }
}
