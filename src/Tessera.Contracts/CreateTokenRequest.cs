namespace Tessera.Contracts;

/// <summary>Body of <c>POST /v1/tokens</c>.</summary>
/// <param name="Name">1–100 characters.</param>
/// <param name="WorkloadId">The workload to bind it to; null or absent issues it unassigned.</param>
/// <param name="Note">0–1000 characters.</param>
public sealed record CreateTokenRequest(string Name, string? WorkloadId = null, string? Note = null);
