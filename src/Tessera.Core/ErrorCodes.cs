namespace Tessera.Core;

/// <summary>The stable machine codes carried by every problem response (API.md §3, §4).</summary>
public static class ErrorCodes
{
    // Request shape
    public const string InvalidJson = "invalid_json";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string PayloadTooLarge = "payload_too_large";
    public const string ValidationFailed = "validation_failed";
    public const string InvalidQuery = "invalid_query";
    public const string InvalidCursor = "invalid_cursor";
    public const string InvalidIfMatch = "invalid_if_match";
    public const string BadRequest = "bad_request";
    public const string NotFound = "not_found";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string InternalError = "internal_error";
    public const string ServiceUnavailable = "service_unavailable";

    // Management authentication
    public const string LicenseKeyMissing = "license_key_missing";
    public const string LicenseKeyMalformed = "license_key_malformed";
    public const string LicenseKeyInvalid = "license_key_invalid";

    // Scoped license keys (API.md §8)
    public const string InsufficientScope = "insufficient_scope";
    public const string WorkloadNotAllowed = "workload_not_allowed";

    // Gateway feed (API.md §9)
    public const string PositionExpired = "position_expired";

    // Objects
    public const string TokenNotFound = "token_not_found";
    public const string WorkloadNotFound = "workload_not_found";
    public const string LicenseKeyNotFound = "license_key_not_found";
    public const string WorkloadNameTaken = "workload_name_taken";
    public const string LastLicenseKey = "last_license_key";
    public const string PreconditionFailed = "precondition_failed";
    public const string ConcurrentModification = "concurrent_modification";

    // Webhooks (API.md §7)
    public const string WebhookNotFound = "webhook_not_found";
    public const string DeliveryNotFound = "delivery_not_found";
    public const string UnknownEventType = "unknown_event_type";
    public const string WebhookUrlForbidden = "webhook_url_forbidden";
    public const string WebhookLimitReached = "webhook_limit_reached";

    // Token rules and query-side refusals
    public const string TokenMissing = "token_missing";
    public const string TokenMalformed = "token_malformed";
    public const string TokenUnknown = "token_unknown";
    public const string TokenCancelled = "token_cancelled";
    public const string TokenExpired = "token_expired";
    public const string TokenUnassigned = "token_unassigned";
    public const string TokenWrongWorkload = "token_wrong_workload";

    // What a gateway must say on GET /v1/auth: the workload it guards (API.md §4, v1.1)
    public const string WorkloadRequired = "workload_required";
    public const string WorkloadConflict = "workload_conflict";
    public const string WorkloadMalformed = "workload_malformed";

    // Leak response (API.md §11): GitHub's partner call
    public const string LeakSignatureMissing = "leak_signature_missing";
    public const string LeakSignatureInvalid = "leak_signature_invalid";
    public const string LeakKeyUnknown = "leak_key_unknown";
    public const string LeakKeysUnavailable = "leak_keys_unavailable";
    public const string TooManyItems = "too_many_items";

    // Members and invitations (issue 22)
    public const string MemberNotFound = "member_not_found";
    public const string InvitationNotFound = "invitation_not_found";
    public const string LastOwner = "last_owner";
    public const string MemberExists = "member_exists";
    public const string InvitationMissing = "invitation_missing";
    public const string InvitationInvalid = "invitation_invalid";
    public const string MemberSignInRefused = "member_sign_in_refused";
    // Usage, export, import (API.md §10)
    public const string ImportAlreadyDone = "import_already_done";
    public const string ImportTooLarge = "import_too_large";
    public const string ImportEmpty = "import_empty";
    public const string ImportInvalidRows = "import_invalid_rows";
    public const string InvalidCsv = "invalid_csv";
    public const string IdempotencyKeyMissing = "idempotency_key_missing";
    public const string IdempotencyKeyMalformed = "idempotency_key_malformed";

    // Abuse limits (issue #7)
    public const string TooManyFailures = "too_many_failures";
}
