namespace Tessera.Core.Gateway;

/// <summary>
/// The changes a gateway has not seen, each token once and as it is now (<see cref="GatewayToken"/>) or as deleted
/// (<see cref="GatewayChangeEntry.Token"/> null), in the order of their last change; ask again after <see cref="Position"/>.
/// </summary>
public sealed record GatewayChanges(IReadOnlyList<GatewayChangeEntry> Changes, long Position);
