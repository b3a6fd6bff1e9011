using Tessera.Core.Secrets;
using Tessera.Core.Tokens;

namespace Tessera.Core.Gateway;

/// <summary>What a gateway needs to decide about one token without asking Tessera (API.md §9): never its name or note.</summary>
public readonly record struct GatewayToken(SecretHash Hash, string TokenId, string? WorkloadId, DateTimeOffset ExpiresAt, TokenStatus Status);
