namespace Tessera.Contracts;

/// <summary>The answer of <c>GET /v1/gateway/changes</c>.</summary>
/// <param name="Changes">Each changed token once, as it is now or deleted, oldest change first.</param>
/// <param name="Position">Ask again with <c>after</c> set to this.</param>
public sealed record GatewayChangesResponse(IReadOnlyList<GatewayEntry> Changes, long Position);
