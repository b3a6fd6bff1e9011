using Tessera.Contracts;

namespace Tessera.Core.Workloads;

/// <summary>A JSON merge patch of a workload: rename and/or describe.</summary>
public sealed record WorkloadPatch
{
    public Optional<string?> Name { get; init; }

    public Optional<string?> Description { get; init; }
}
