namespace Tessera.Contracts;

/// <summary>Body of <c>POST /v1/workloads</c>.</summary>
/// <param name="Name">1–100 characters, unique in the account (case-insensitive).</param>
/// <param name="Description">0–1000 characters.</param>
public sealed record CreateWorkloadRequest(string Name, string? Description = null);
