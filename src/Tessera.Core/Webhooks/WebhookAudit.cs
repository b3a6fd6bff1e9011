using System.Text.Json.Nodes;
using Tessera.Core.Accounts;
using Tessera.Core.Audit;

namespace Tessera.Core.Webhooks;

/// <summary>The audit entries of webhook endpoint changes: never a secret, only that one was rotated.</summary>
internal static class WebhookAudit
{
    public static AuditEntry Created(Caller caller, WebhookEndpoint e) =>
        AuditEntry.By(caller, e.CreatedAt, AuditActions.WebhookCreated, e.Id, null, Fields(e));

    public static AuditEntry Updated(Caller caller, WebhookEndpoint before, WebhookEndpoint after) =>
        AuditEntry.By(caller, after.UpdatedAt, AuditActions.WebhookUpdated, after.Id, Fields(before), Fields(after));

    public static AuditEntry Deleted(Caller caller, WebhookEndpoint e, DateTimeOffset at) =>
        AuditEntry.By(caller, at, AuditActions.WebhookDeleted, e.Id, Fields(e), null);

    public static AuditEntry SecretRotated(Caller caller, string endpointId, DateTimeOffset at, DateTimeOffset previousUntil) =>
        AuditEntry.By(caller, at, AuditActions.WebhookSecretRotated, endpointId, null,
            new JsonObject { ["previousSecretSignsUntil"] = Instants.Format(previousUntil) });

    /// <summary>The server's own entry when it disables an endpoint that kept failing.</summary>
    public static AuditEntry Disabled(string accountId, string endpointId, DateTimeOffset at, TimeSpan after) =>
        AuditEntry.Local(AuditActors.System, accountId, at, AuditActions.WebhookDisabled, endpointId,
            new JsonObject { ["enabled"] = true }, new JsonObject { ["enabled"] = false, ["reason"] = $"no successful delivery for {after}" });

    private static JsonObject Fields(WebhookEndpoint e) => new()
    {
        ["url"] = e.Url,
        ["events"] = new JsonArray([.. e.Events.Select(t => JsonValue.Create(t))]),
        ["description"] = e.Description,
        ["enabled"] = e.Enabled,
    };
}
