namespace Tessera.Client;

/// <summary>One row of a bulk import's answer: the token created for a row of the file, with its secret (shown this once).</summary>
/// <param name="Row">The row in the file (1 = the first row after the header).</param>
/// <param name="Id">The new token's id.</param>
/// <param name="Name">Its name.</param>
/// <param name="WorkloadId">Its workload, or null when unassigned.</param>
/// <param name="Token">The secret.</param>
public sealed record ImportedToken(int Row, string Id, string Name, string? WorkloadId, string Token);
