namespace Tessera.Contracts;

/// <summary>The answer to a usable token's handshake.</summary>
/// <param name="TokenId">The token's id.</param>
/// <param name="TokenName">The token's name.</param>
/// <param name="Workload">The workload it may query.</param>
/// <param name="ExpiresAt">When it stops working unless renewed.</param>
public sealed record HandshakeResponse(string TokenId, string TokenName, WorkloadReference Workload, DateTimeOffset ExpiresAt);
