namespace Tessera.Core.Verification;

/// <summary>
/// How a query-token refusal is answered, whoever answers it: <c>GET /v1/auth</c> and the handshake on the server, and
/// Tessera.Gateway in a gateway's own process (API.md §4, §9). One catalog, so both give the same status, headers,
/// problem title and code; the detail is <see cref="Refusals.QueryToken"/>.
/// </summary>
public static class QueryRefusals
{
    /// <summary>Why a request was refused (auth_request drops the body, so the reason travels in a header too).</summary>
    public const string RefusalHeader = "X-Tessera-Error";

    /// <summary>Set on an accepted request: the id of the token that passed.</summary>
    public const string TokenIdHeader = "X-Tessera-Token-Id";

    /// <summary>Set on an accepted request: the workload the token is bound to.</summary>
    public const string WorkloadIdHeader = "X-Tessera-Workload-Id";

    /// <summary>RFC 6750: a token that is fine but does not cover this resource.</summary>
    public const string InsufficientScope = "Bearer error=\"insufficient_scope\"";

    /// <summary>RFC 6750: a missing, malformed, unknown or unusable token.</summary>
    public const string InvalidToken = "Bearer error=\"invalid_token\"";

    /// <summary>403 for a usable token of another workload, 401 for every other refusal.</summary>
    public static int StatusOf(VerificationOutcome outcome) => outcome == VerificationOutcome.WrongWorkload ? 403 : 401;

    /// <summary>The <c>WWW-Authenticate</c> value of a refusal.</summary>
    public static string WwwAuthenticateOf(VerificationOutcome outcome) =>
        outcome == VerificationOutcome.WrongWorkload ? InsufficientScope : InvalidToken;

    /// <summary>The problem title Tessera gives a status.</summary>
    public static string TitleOf(int status) => status switch
    {
        400 => "Bad request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not found",
        405 => "Method not allowed",
        409 => "Conflict",
        410 => "Gone",
        412 => "Precondition failed",
        413 => "Payload too large",
        415 => "Unsupported media type",
        422 => "Validation failed",
        429 => "Too many requests",
        503 => "Service unavailable",
        _ => "Error",
    };
}
