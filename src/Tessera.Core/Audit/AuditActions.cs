namespace Tessera.Core.Audit;

/// <summary>The stable action names of the audit trail (<c>object.verb</c>), filterable with <c>action=</c>.</summary>
public static class AuditActions
{
    public const string TokenCreated = "token.created";
    public const string TokenRenamed = "token.renamed";
    public const string TokenNoteChanged = "token.note_changed";
    public const string TokenAssigned = "token.assigned";
    public const string TokenUnassigned = "token.unassigned";
    public const string TokenCancelled = "token.cancelled";
    public const string TokenReactivated = "token.reactivated";
    public const string TokenRenewed = "token.renewed";
    public const string TokenExpirySet = "token.expiry_set";
    public const string TokenDeleted = "token.deleted";

    /// <summary>The token's secret was reported seen in public (issue 18); carries url, source and the action taken, never the secret.</summary>
    public const string TokenLeaked = "token.leaked";

    public const string WorkloadCreated = "workload.created";
    public const string WorkloadRenamed = "workload.renamed";
    public const string WorkloadDescribed = "workload.described";
    public const string WorkloadDeleted = "workload.deleted";

    public const string AccountCreated = "account.created";
    public const string LicenseKeyCreated = "license_key.created";
    public const string LicenseKeyRevoked = "license_key.revoked";

    /// <summary>A revoked license key was presented (unknown or malformed keys belong to no account and are not recorded).</summary>
    public const string LicenseKeyRefused = "license_key.refused";

    /// <summary>A key asked for more than its scopes or workloads allow (a call outside its scopes, a wider key); details say what.</summary>
    public const string LicenseKeyScopeRefused = "license_key.scope_refused";

    public const string WebhookCreated = "webhook.created";
    public const string WebhookUpdated = "webhook.updated";
    public const string WebhookDeleted = "webhook.deleted";
    public const string WebhookSecretRotated = "webhook.secret_rotated";

    /// <summary>The server disabled an endpoint that failed without a success for Tessera:Webhooks:DisableAfter.</summary>
    public const string WebhookDisabled = "webhook.disabled";

    public const string ConsoleSignedIn = "console.signed_in";
    public const string ConsoleSignInFailed = "console.sign_in_failed";

    public const string InvitationCreated = "invitation.created";
    public const string InvitationRevoked = "invitation.revoked";

    /// <summary>An invitation was used: the member it made is the object; the invitation id is in the details.</summary>
    public const string MemberJoined = "member.joined";
    public const string MemberChanged = "member.changed";
    public const string MemberRemoved = "member.removed";
    public const string MemberPasswordChanged = "member.password_changed";
    public const string MemberTwoStepEnabled = "member.two_step_enabled";
    public const string MemberTwoStepDisabled = "member.two_step_disabled";
    public const string MemberRecoveryCodesRegenerated = "member.recovery_codes_regenerated";

    /// <summary>Every action, in the order the README lists them.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        TokenCreated, TokenRenamed, TokenNoteChanged, TokenAssigned, TokenUnassigned, TokenCancelled, TokenReactivated,
        TokenRenewed, TokenExpirySet, TokenDeleted, TokenLeaked, WorkloadCreated, WorkloadRenamed, WorkloadDescribed, WorkloadDeleted,
        AccountCreated, LicenseKeyCreated, LicenseKeyRevoked, LicenseKeyRefused, LicenseKeyScopeRefused, WebhookCreated, WebhookUpdated, WebhookDeleted, WebhookSecretRotated, WebhookDisabled,
        ConsoleSignedIn, ConsoleSignInFailed,
        InvitationCreated, InvitationRevoked, MemberJoined, MemberChanged, MemberRemoved, MemberPasswordChanged, MemberTwoStepEnabled,
        MemberTwoStepDisabled, MemberRecoveryCodesRegenerated,
    ];
}
