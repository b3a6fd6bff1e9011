namespace Tessera.Core.Gateway;

/// <summary>An account's tokens at or after <see cref="Position"/>: follow the changes after it and nothing is missed.</summary>
public sealed record GatewaySnapshot(long Position, IAsyncEnumerable<GatewayToken> Tokens);
