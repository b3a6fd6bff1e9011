using System.Text.Json.Serialization;

namespace Tessera.Contracts;

/// <summary>Body of <c>PATCH /v1/webhooks/{id}</c>: a JSON merge patch; fields left absent stay as they are.</summary>
/// <param name="Url">New destination.</param>
/// <param name="Events">New event types.</param>
/// <param name="Description">New description.</param>
/// <param name="Enabled">Enable or disable; enabling starts a new failure streak.</param>
public sealed record UpdateWebhookRequest(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] Optional<string?> Url = default,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] Optional<IReadOnlyList<string>?> Events = default,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] Optional<string?> Description = default,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] Optional<bool?> Enabled = default);
