namespace Tessera.Core.Gateway;

/// <summary>
/// One row of the change feed as an account's gateway sees it: the token as it is now (<see cref="Current"/>, null
/// when it was deleted) and the workload it was in before this change, which decides whether a workload-bound
/// gateway must be told it is gone.
/// </summary>
public sealed record GatewayChange(long Position, string TokenId, string? PreviousWorkloadId, GatewayToken? Current);
