namespace Tessera.Core.Verification;

/// <summary>A workload's id and name as the query side reports them; one instance shared by its tokens.</summary>
public sealed record WorkloadLabel(string Id, string Name);
