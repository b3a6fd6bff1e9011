using Tessera.Core.Accounts;
using Tessera.Core.Usage;

namespace Tessera.Server.WebConsole;

/// <summary>The two charts of a token, a workload or the account: the last 24 hours by hour and the last 30 days by day.</summary>
public sealed record UsagePanel(string Id, IReadOnlyList<UsageBucket> LastDay, IReadOnlyList<UsageBucket> LastMonth)
{
    /// <summary>Reads both series for one token, one workload, or the account (both null).</summary>
    public static async Task<UsagePanel> LoadAsync(UsageService usage, Caller caller, string id, string? tokenId, string? workloadId,
        CancellationToken cancellationToken) =>
        new(id,
            await usage.ReadAsync(caller, tokenId, workloadId, null, null, UsageGranularity.Hour, cancellationToken),
            await usage.ReadAsync(caller, tokenId, workloadId, null, null, UsageGranularity.Day, cancellationToken));
}
