namespace Tessera.Contracts;

/// <summary>Body of <c>POST /v1/workloads/{id}/tokens</c>.</summary>
/// <param name="Name">1–100 characters.</param>
/// <param name="Note">0–1000 characters.</param>
public sealed record CreateWorkloadTokenRequest(string Name, string? Note = null);
