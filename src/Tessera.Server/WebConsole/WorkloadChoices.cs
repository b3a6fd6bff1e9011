using Tessera.Core.Accounts;
using Tessera.Core.Storage;
using Tessera.Core.Workloads;

namespace Tessera.Server.WebConsole;

/// <summary>Every workload of the account, for dropdowns and for naming a token's workload in lists.</summary>
public static class WorkloadChoices
{
    public static async Task<IReadOnlyList<Workload>> AllAsync(WorkloadService workloads, Caller caller, CancellationToken cancellationToken)
    {
        var all = new List<Workload>();
        await foreach (var view in PageRequest.AllAsync((page, ct) => workloads.ListAsync(caller, page, ct), cancellationToken))
        {
            all.Add(view.Workload);
        }
        return all;
    }
}
