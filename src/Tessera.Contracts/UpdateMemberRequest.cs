using System.Text.Json.Serialization;

namespace Tessera.Contracts;

/// <summary><c>PATCH /v1/members/{id}</c> (JSON merge patch): a field left absent stays as it is.</summary>
/// <param name="Role">New role.</param>
/// <param name="DisplayName">New display name.</param>
/// <param name="WorkloadIds">The only workloads the member may see; null unbinds (every workload).</param>
public sealed record UpdateMemberRequest(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] Optional<string?> Role = default,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] Optional<string?> DisplayName = default,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] Optional<IReadOnlyList<string>?> WorkloadIds = default);
