namespace Tessera.Contracts;

/// <summary>Body of <c>POST /v1/license-keys</c> (API.md §8). Absent fields take the creating key's own.</summary>
/// <param name="Name">1–100 characters.</param>
/// <param name="Scopes">
/// Any of <c>tokens:read</c>, <c>tokens:write</c>, <c>workloads:read</c>, <c>workloads:write</c>, <c>audit:read</c>,
/// <c>usage:read</c>, <c>webhooks:manage</c>, <c>keys:manage</c>, <c>gateway</c>, or <c>*</c> for all; within the creating key's.
/// </param>
/// <param name="WorkloadIds">The only workloads the key may see and place tokens in (1–100 ids); within the creating key's.</param>
/// <param name="ExpiresAt">When the key stops working (RFC 3339, in the future); not after the creating key's own end.</param>
public sealed record CreateLicenseKeyRequest(string Name, IReadOnlyList<string>? Scopes = null, IReadOnlyList<string>? WorkloadIds = null,
    DateTimeOffset? ExpiresAt = null);
