using Tessera.Core.Tokens;

namespace Tessera.Core.Storage;

/// <summary>A token found by the hash of its secret, with the name of its workload when it has one.</summary>
public sealed record TokenMatch(QueryToken Token, string? WorkloadName);
