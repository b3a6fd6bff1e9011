namespace Tessera.Contracts;

/// <summary>Uses of one token a gateway verified itself.</summary>
/// <param name="TokenId">The token's id.</param>
/// <param name="Uses">How many requests it passed since the last report (1 or more).</param>
/// <param name="LastUsedAt">When the last of them passed.</param>
public sealed record GatewayUsageItem(string TokenId, long Uses, DateTimeOffset LastUsedAt);
