namespace Tessera.Contracts;

/// <summary>
/// Body of <c>PATCH /v1/tokens/{id}</c>: a JSON merge patch (RFC 7396). Absent fields stay as they are;
/// <c>workloadId: null</c> unassigns; <c>note: null</c> clears the note.
/// </summary>
/// <param name="Name">New name.</param>
/// <param name="Note">New note.</param>
/// <param name="WorkloadId">Workload to (re)assign to, or null to unassign.</param>
/// <param name="Status"><c>active</c> or <c>cancelled</c>.</param>
/// <param name="ExpiresAt">New expiry, in (now, now + lifetime].</param>
public sealed record UpdateTokenRequest(string? Name = null, string? Note = null, string? WorkloadId = null, string? Status = null, DateTimeOffset? ExpiresAt = null);
