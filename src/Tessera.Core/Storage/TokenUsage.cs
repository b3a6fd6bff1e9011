namespace Tessera.Core.Storage;

/// <summary>Uses of one token accumulated in memory since the last flush.</summary>
public readonly record struct TokenUsage(string TokenId, long Uses, DateTimeOffset LastUsedAt);
