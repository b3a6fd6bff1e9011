using Tessera.Core.Accounts;
using Tessera.Core.Tokens;
using Tessera.Core.Workloads;

namespace Tessera.Server.WebConsole;

/// <summary>Every workload of the account, for dropdowns and for naming a token's workload in lists.</summary>
public static class WorkloadChoices
{
    public static async Task<IReadOnlyList<Workload>> AllAsync(WorkloadService workloads, Caller caller, CancellationToken cancellationToken)
    {
        var all = new List<Workload>();
        string? cursor = null;
        do
        {
            (var items, cursor) = await workloads.ListAsync(caller, TokenService.MaxLimit, cursor, cancellationToken);
            all.AddRange(items.Select(v => v.Workload));
        }
        while (cursor is not null);
        return all;
    }
}
