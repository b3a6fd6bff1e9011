using System.Text.Json.Serialization;

namespace Tessera.Contracts;

/// <summary>
/// Body of <c>PATCH /v1/tokens/{id}</c>: a JSON merge patch (RFC 7396). Fields left absent stay as they are;
/// <c>workloadId: null</c> unassigns; <c>note: null</c> clears the note.
/// </summary>
/// <param name="Name">New name.</param>
/// <param name="Note">New note.</param>
/// <param name="WorkloadId">Workload to (re)assign to, or null to unassign.</param>
/// <param name="Status"><c>active</c> or <c>cancelled</c>.</param>
/// <param name="ExpiresAt">New expiry, in (now, now + lifetime].</param>
public sealed record UpdateTokenRequest(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] Optional<string?> Name = default,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] Optional<string?> Note = default,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] Optional<string?> WorkloadId = default,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] Optional<string?> Status = default,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] Optional<DateTimeOffset?> ExpiresAt = default);
