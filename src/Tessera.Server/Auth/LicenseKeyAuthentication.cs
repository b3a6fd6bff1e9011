using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Tessera.Core;
using Tessera.Core.Accounts;
using Tessera.Server.Abuse;
using Tessera.Server.Http;

namespace Tessera.Server.Auth;

/// <summary>
/// Management authentication: <c>Authorization: Bearer tsl_…</c> and nothing else (never a query
/// string or cookie). Refusals are 401 problems with license_key_missing / _malformed / _invalid.
/// </summary>
public sealed class LicenseKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AccountService accounts,
    FailureLimiter limiter)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "LicenseKey";
    public const string Policy = "LicenseKey";
    public const string AccountClaim = "tessera:account";
    public const string LicenseKeyClaim = "tessera:license_key";
    public const string ClientIpClaim = "tessera:client_ip";
    private const string FailureItem = "tessera:auth_failure";
    private const string RetryAfterItem = "tessera:auth_retry_after";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var (code, caller) = await accounts.AuthenticateAsync(Bearer.From(Request.Headers.Authorization), Context.ClientIp(), Context.RequestAborted);
        if (caller is null)
        {
            // Abuse limit (issue #7): a presented, refused key counts against the caller's address.
            if (code != ErrorCodes.LicenseKeyMissing && !limiter.TryRecordFailure(Context, FailureKind.LicenseKey, out var retryAfter))
            {
                Context.Items[RetryAfterItem] = retryAfter;
                code = ErrorCodes.TooManyFailures;
            }
            Context.Items[FailureItem] = code;
            return AuthenticateResult.Fail(code!);
        }
        var identity = new ClaimsIdentity(CallerExtensions.KeyClaims(caller), SchemeName);
        if (caller.ClientIp is { } ip)
        {
            // Carried with the caller into the use cases, for the audit trail.
            identity.AddClaim(new Claim(ClientIpClaim, ip));
        }
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var (code, retryAfter) = RefusalOf(Context);
        if (retryAfter is { } after)
        {
            await FailureLimiter.TooManyFailures(Response, after).ExecuteAsync(Context);
            return;
        }
        Response.Headers.WWWAuthenticate = code == ErrorCodes.LicenseKeyMissing ? "Bearer" : "Bearer error=\"invalid_token\"";
        await Problems.Create(StatusCodes.Status401Unauthorized, code, Refusals.LicenseKey(code)).ExecuteAsync(Context);
    }

    /// <summary>
    /// A valid key whose scopes fall short of the endpoint's <see cref="RequiredScopeAttribute"/> (RFC 6750 §3.1): 403 with the
    /// scope it needs, recorded in the account's audit trail (throttled per key, scope and route).
    /// </summary>
    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var endpoint = Context.GetEndpoint();
        var needed = endpoint?.Metadata.GetMetadata<RequiredScopeAttribute>()?.Scope ?? "*";
        var route = RouteOf(Context);
        await accounts.RecordScopeRefusalAsync(Context.User.Caller(), needed, $"{Request.Method} {route}", Context.RequestAborted);
        await InsufficientScope(Response, needed).ExecuteAsync(Context);
    }

    /// <summary>The request's route as mapped (<c>/v1/tokens/{id}</c>, never an id), for the audit trail's record of a refusal.</summary>
    public static string RouteOf(HttpContext context) =>
        (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText?.TrimEnd('/') is { Length: > 0 } route ? route : context.Request.Path.Value ?? "/";

    /// <summary>The 403 of a key that lacks <paramref name="needed"/>, with its WWW-Authenticate header set.</summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult InsufficientScope(HttpResponse response, string needed)
    {
        response.Headers.WWWAuthenticate = $"Bearer error=\"insufficient_scope\", scope=\"{needed}\"";
        return Problems.Create(StatusCodes.Status403Forbidden, ErrorCodes.InsufficientScope, Refusals.InsufficientScope(needed));
    }


    /// <summary>
    /// Why this request's authentication by this scheme failed: the refusal code and, when the failure limiter
    /// turned it into <c>too_many_failures</c>, how long the address must wait. For surfaces that answer the
    /// refusal in a shape of their own (the Lattica surface) rather than through the challenge.
    /// </summary>
    public static (string Code, TimeSpan? RetryAfter) RefusalOf(HttpContext context)
    {
        var code = context.Items[FailureItem] as string ?? ErrorCodes.LicenseKeyMissing;
        return (code, code == ErrorCodes.TooManyFailures ? (TimeSpan)context.Items[RetryAfterItem]! : null);
    }
}
