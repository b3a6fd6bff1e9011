namespace Tessera.Contracts;

/// <summary>Body of <c>PATCH /v1/webhooks/{id}</c>: a JSON merge patch; absent fields stay as they are.</summary>
/// <param name="Url">New destination.</param>
/// <param name="Events">New event types.</param>
/// <param name="Description">New description.</param>
/// <param name="Enabled">Enable or disable; enabling starts a new failure streak.</param>
public sealed record UpdateWebhookRequest(string? Url = null, IReadOnlyList<string>? Events = null, string? Description = null, bool? Enabled = null);
