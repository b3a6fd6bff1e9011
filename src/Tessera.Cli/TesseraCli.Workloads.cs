using System.CommandLine;
using Tessera.Contracts;

namespace Tessera.Cli;

/// <summary><c>tessera workloads</c>: list, show, create, rename and delete the account's workloads.</summary>
public static partial class TesseraCli
{
    private sealed partial class Cli
    {
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
    }
}
