namespace Tessera.Contracts;

/// <summary>The answer of <c>POST /v1/gateway/usage</c>.</summary>
/// <param name="Recorded">Items added to a token's use count; the others named no token the key may see (deleted since, or never).</param>
public sealed record GatewayUsageResponse(int Recorded);
