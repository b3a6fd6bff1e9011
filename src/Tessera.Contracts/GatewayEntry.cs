namespace Tessera.Contracts;

/// <summary>
/// One line of <c>GET /v1/gateway/snapshot</c> or one item of a changes answer: a token as a gateway needs it, or
/// (<see cref="Deleted"/>) a token the gateway must forget; the snapshot's last line carries only <see cref="Position"/>.
/// </summary>
/// <param name="Hash">base64url of the SHA-256 of the token's secret (no padding).</param>
/// <param name="TokenId">The token's id.</param>
/// <param name="WorkloadId">The workload it may query; null when unassigned.</param>
/// <param name="ExpiresAt">When it stops working unless renewed.</param>
/// <param name="Status"><c>active</c> or <c>cancelled</c> (expiry is the gateway's to judge from <paramref name="ExpiresAt"/>).</param>
/// <param name="Deleted">True when the token was deleted, or left the workloads the gateway's key is bound to.</param>
/// <param name="Position">The snapshot's position (its last line only).</param>
public sealed record GatewayEntry(string? Hash = null, string? TokenId = null, string? WorkloadId = null, DateTimeOffset? ExpiresAt = null,
    string? Status = null, bool Deleted = false, long? Position = null);
