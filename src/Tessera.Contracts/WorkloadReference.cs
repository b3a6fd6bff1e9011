namespace Tessera.Contracts;

/// <summary>A workload named inside another answer.</summary>
/// <param name="Id">Workload id.</param>
/// <param name="Name">Workload name.</param>
public sealed record WorkloadReference(string Id, string Name);
