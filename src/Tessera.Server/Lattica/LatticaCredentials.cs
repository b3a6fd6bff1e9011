using Microsoft.AspNetCore.Authentication;
using Tessera.Core;
using Tessera.Core.Accounts;
using Tessera.Core.Verification;
using Tessera.Server.Abuse;
using Tessera.Server.Auth;
using Tessera.Server.Endpoints;
using Tessera.Server.Http;

namespace Tessera.Server.Lattica;

/// <summary>
/// The Lattica surface's credentials go the way they go everywhere else (issue 13): a license key through the
/// <see cref="LicenseKeyAuthentication"/> scheme (failure limiter, client address, revoked-key audit), a query
/// token through the <see cref="VerificationService"/> and the query side's failure budget. Only the answer's
/// shape is Lattica's: a refusal is thrown for <see cref="LatticaErrors"/> to write as <c>{error, error_code}</c>.
/// </summary>
public static class LatticaCredentials
{
    /// <summary>
    /// The caller a license key names, with its client address for the audit trail; a refusal (401, or 429 with
    /// Retry-After) otherwise, and 403 insufficient_scope when the key lacks the scope the call declared.
    /// </summary>
    public static async Task<Caller> LicenseKeyAsync(HttpContext context)
    {
        // The scheme's handler is per request: this is the same check, counted once, that /v1 makes.
        var result = await context.AuthenticateAsync(LicenseKeyAuthentication.SchemeName);
        if (result.Succeeded)
        {
            var caller = result.Principal!.Caller();
            // The scope this call declared where it was mapped (ADR 0011): the same one its /v1 twin needs.
            var declared = context.GetEndpoint()?.Metadata.GetMetadata<RequiredScopeAttribute>()
                ?? throw new InvalidOperationException("A Lattica call must declare its scope where it is mapped.");
            if (declared.Scope is { } needed && !caller.Holds(needed))
            {
                await context.RequestServices.GetRequiredService<AccountService>()
                    .RecordScopeRefusalAsync(caller, needed, $"{context.Request.Method} {LicenseKeyAuthentication.RouteOf(context)}", context.RequestAborted);
                LicenseKeyAuthentication.InsufficientScope(context.Response, needed);
                throw new TesseraException(ProblemKind.Forbidden, ErrorCodes.InsufficientScope, Refusals.InsufficientScope(needed));
            }
            return caller;
        }
        var (code, retryAfter) = LicenseKeyAuthentication.RefusalOf(context);
        throw retryAfter is { } after
            ? TooManyFailures(context.Response, after)
            : new TesseraException(ProblemKind.Unauthorized, code, Refusals.LicenseKey(code));
    }

    /// <summary>
    /// The token the bearer query token is, whatever its state (a cancelled, expired or unassigned token may still
    /// describe itself); a missing, malformed or unknown one is refused, and a presented one counts against the
    /// address's query-token budget exactly as a refusal of <c>/v1/handshake</c> does.
    /// </summary>
    public static async Task<KnownToken> QueryTokenAsync(HttpContext context, VerificationService verification, FailureLimiter limiter)
    {
        var result = await verification.VerifyAsync(context.Request.Headers.Authorization, context.RequestAborted);
        if (result.Outcome is not (VerificationOutcome.Missing or VerificationOutcome.Malformed or VerificationOutcome.Unknown))
        {
            return result.Token;
        }
        if (!QueryEndpoints.TryCountFailure(context, result, limiter, out var retryAfter))
        {
            throw TooManyFailures(context.Response, retryAfter);
        }
        throw new TesseraException(ProblemKind.Unauthorized, result.Code, Refusals.QueryToken(result.Outcome));
    }

    private static HttpProblemException TooManyFailures(HttpResponse response, TimeSpan retryAfter) =>
        new(StatusCodes.Status429TooManyRequests, ErrorCodes.TooManyFailures, FailureLimiter.SetRetryAfter(response, retryAfter));
}
