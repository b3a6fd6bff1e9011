namespace Tessera.Contracts;

/// <summary>Body of <c>PATCH /v1/workloads/{id}</c>: a JSON merge patch; absent fields stay as they are.</summary>
/// <param name="Name">New name.</param>
/// <param name="Description">New description (null clears it).</param>
public sealed record UpdateWorkloadRequest(string? Name = null, string? Description = null);
