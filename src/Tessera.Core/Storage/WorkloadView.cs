using Tessera.Core.Workloads;

namespace Tessera.Core.Storage;

/// <summary>A workload with the counts of the tokens bound to it (all, and usable now).</summary>
public sealed record WorkloadView(Workload Workload, long TokenCount, long UsableTokenCount);
