using Tessera.Core.Verification;

namespace Tessera.Core;

/// <summary>
/// The words of Tessera's refusals that more than one surface gives (<c>/v1</c>, the Lattica surface, the query side,
/// Tessera.Gateway, the use cases): one catalog, so the same refusal reads the same everywhere (ADR 0023). These texts
/// are on the wire (problem <c>detail</c>, Lattica's <c>error</c>); the contract and Lattica replay tests hold them
/// byte for byte. The code (<see cref="ErrorCodes"/>) stays the stable part; the text may be reworded only here.
/// </summary>
public static class Refusals
{
    /// <summary>The detail of a 400/422 whose per-field errors say what is wrong.</summary>
    public const string InvalidFields = "The request has invalid fields.";

    /// <summary>The same for query parameters.</summary>
    public const string InvalidParameters = "The request has invalid parameters.";

    /// <summary>A body that does not parse; the parser's own message may quote the body, so it is not repeated.</summary>
    public const string InvalidJson = "The body is not well-formed JSON.";

    /// <summary>A body field that should hold an instant (a token's or a key's expiry) and does not.</summary>
    public const string NotAnInstant = "Must be an RFC 3339 instant with an offset, e.g. 2026-12-01T12:00:00Z.";

    /// <summary>A gateway that names the workload it guards by something other than its id.</summary>
    public const string GuardedWorkloadById = "The guarded workload must be named by its id (wl_…), not by its name.";

    /// <summary>An object of another account, or none: the same words, so neither is told from the other (404 or a field error).</summary>
    public static string NoSuch(string what) => $"No {what} with this id exists in this account.";

    /// <summary>The 401 detail for a license key refused with <paramref name="code"/>.</summary>
    public static string LicenseKey(string code) => code switch
    {
        ErrorCodes.LicenseKeyMissing => "Send a license key as 'Authorization: Bearer tsl_…'.",
        ErrorCodes.LicenseKeyMalformed => "The credential is not a well-formed license key.",
        _ => "The license key is not valid.",
    };

    /// <summary>The 403 detail for a license key without the scope a call needs.</summary>
    public static string InsufficientScope(string needed) => $"This license key does not hold the '{needed}' scope this call needs.";

    /// <summary>The message of each query-token refusal, on the server and in a gateway's own process.</summary>
    public static string QueryToken(VerificationOutcome outcome) => outcome switch
    {
        VerificationOutcome.Missing => "Send the query token as 'Authorization: Bearer tsq_…'.",
        VerificationOutcome.Malformed => "The credential is not a well-formed query token.",
        VerificationOutcome.Unknown => "The query token is not known.",
        VerificationOutcome.Cancelled => "The query token was cancelled.",
        VerificationOutcome.Expired => "The query token has expired.",
        VerificationOutcome.WrongWorkload => "The query token is not bound to the workload this gateway guards.",
        _ => "The query token is not assigned to a workload.",
    };
}
