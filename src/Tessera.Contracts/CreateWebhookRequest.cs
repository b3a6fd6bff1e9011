namespace Tessera.Contracts;

/// <summary>Body of <c>POST /v1/webhooks</c>.</summary>
/// <param name="Url">An https URL reaching a public address.</param>
/// <param name="Events">Event types, or <c>["*"]</c> for every type.</param>
/// <param name="Description">0–1000 characters.</param>
public sealed record CreateWebhookRequest(string Url, IReadOnlyList<string> Events, string? Description = null);
