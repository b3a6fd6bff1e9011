using Tessera.Core.Audit;

namespace Tessera.Core.Events;

/// <summary>The event types of API.md §7, and which audit action each change's event takes.</summary>
public static class EventTypes
{
    public const string TokenCreated = "token.created";
    public const string TokenUpdated = "token.updated";
    public const string TokenAssigned = "token.assigned";
    public const string TokenUnassigned = "token.unassigned";
    public const string TokenCancelled = "token.cancelled";
    public const string TokenReactivated = "token.reactivated";
    public const string TokenRenewed = "token.renewed";
    public const string TokenExpiryChanged = "token.expiry_changed";
    public const string TokenDeleted = "token.deleted";
    public const string TokenExpiring = "token.expiring";
    public const string TokenExpired = "token.expired";
    public const string TokenLeaked = "token.leaked";
    public const string WorkloadCreated = "workload.created";
    public const string WorkloadUpdated = "workload.updated";
    public const string WorkloadDeleted = "workload.deleted";
    public const string LicenseKeyCreated = "license_key.created";
    public const string LicenseKeyRevoked = "license_key.revoked";
    public const string WebhookTest = "webhook.test";

    /// <summary>Subscribes an endpoint to every type, today's and any added later.</summary>
    public const string Everything = "*";

    /// <summary>Every type an endpoint may subscribe to, in the order of API.md §7.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        TokenCreated, TokenUpdated, TokenAssigned, TokenUnassigned, TokenCancelled, TokenReactivated, TokenRenewed,
        TokenExpiryChanged, TokenDeleted, TokenExpiring, TokenExpired, TokenLeaked, WorkloadCreated, WorkloadUpdated,
        WorkloadDeleted, LicenseKeyCreated, LicenseKeyRevoked, WebhookTest,
    ];

    public static bool IsKnown(string type) => All.Contains(type);

    /// <summary>
    /// The event a change recorded under <paramref name="auditAction"/> becomes, or null when it is none (sign-ins,
    /// refusals, webhook management). A rename and a new note are both <c>token.updated</c>, as §7 groups them.
    /// </summary>
    public static string? ForAudit(string auditAction) => auditAction switch
    {
        AuditActions.TokenCreated => TokenCreated,
        AuditActions.TokenRenamed or AuditActions.TokenNoteChanged => TokenUpdated,
        AuditActions.TokenAssigned => TokenAssigned,
        AuditActions.TokenUnassigned => TokenUnassigned,
        AuditActions.TokenCancelled => TokenCancelled,
        AuditActions.TokenReactivated => TokenReactivated,
        AuditActions.TokenRenewed => TokenRenewed,
        AuditActions.TokenExpirySet => TokenExpiryChanged,
        AuditActions.TokenDeleted => TokenDeleted,
        AuditActions.TokenLeaked => TokenLeaked,
        AuditActions.WorkloadCreated => WorkloadCreated,
        AuditActions.WorkloadRenamed or AuditActions.WorkloadDescribed => WorkloadUpdated,
        AuditActions.WorkloadDeleted => WorkloadDeleted,
        AuditActions.LicenseKeyCreated => LicenseKeyCreated,
        AuditActions.LicenseKeyRevoked => LicenseKeyRevoked,
        _ => null,
    };
}
