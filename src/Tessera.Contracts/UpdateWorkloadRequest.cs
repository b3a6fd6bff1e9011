using System.Text.Json.Serialization;

namespace Tessera.Contracts;

/// <summary>Body of <c>PATCH /v1/workloads/{id}</c>: a JSON merge patch; fields left absent stay as they are.</summary>
/// <param name="Name">New name.</param>
/// <param name="Description">New description (null clears it).</param>
public sealed record UpdateWorkloadRequest(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] Optional<string?> Name = default,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] Optional<string?> Description = default);
