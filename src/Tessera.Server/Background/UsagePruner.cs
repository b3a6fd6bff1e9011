using Tessera.Core.Usage;

namespace Tessera.Server.Background;

/// <summary>Deletes hourly usage buckets older than Tessera:Usage:Retention every PruneInterval, in bounded batches.</summary>
public sealed class UsagePruner(UsageService usage, UsageOptions options, ILogger<UsagePruner> logger)
    : RetentionPruner(options.PruneInterval, options.Retention, "usage buckets", logger)
{
    protected override Task<int> PruneOnceAsync(CancellationToken cancellationToken) => usage.PruneAsync(cancellationToken);
}
