namespace Tessera.Core.Gateway;

/// <summary>One token in a <see cref="GatewayChanges"/>: <see cref="Token"/> as it is now, or null when the gateway must forget it.</summary>
public sealed record GatewayChangeEntry(string TokenId, GatewayToken? Token);
