using Tessera.Core.Audit;

namespace Tessera.Server.Background;

/// <summary>Deletes audit entries older than Tessera:Audit:Retention every PruneInterval, in bounded batches.</summary>
public sealed class AuditPruner(AuditService audit, AuditOptions options, ILogger<AuditPruner> logger)
    : RetentionPruner(options.PruneInterval, options.Retention, "audit entries", logger)
{
    protected override Task<int> PruneOnceAsync(CancellationToken cancellationToken) => audit.PruneAsync(cancellationToken);
}
