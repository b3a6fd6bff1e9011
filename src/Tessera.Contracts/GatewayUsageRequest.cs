namespace Tessera.Contracts;

/// <summary>The body of <c>POST /v1/gateway/usage</c>: at most 1,000 items.</summary>
/// <param name="Items">Uses per token.</param>
public sealed record GatewayUsageRequest(IReadOnlyList<GatewayUsageItem> Items);
