using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Tessera.Contracts;
using Tessera.Core;
using Tessera.Core.Verification;
using Tessera.Server.Abuse;
using Tessera.Server.Auth;
using Tessera.Server.Http;

namespace Tessera.Server.Endpoints;

/// <summary>
/// The query side: <c>POST /v1/handshake</c> for query clients and <c>GET /v1/auth</c> for gateways
/// (nginx auth_request, Traefik ForwardAuth, Envoy ext_authz). Authenticated by the query token only.
/// </summary>
public static class QueryEndpoints
{
    /// <summary>Lets a gateway log or forward why a request was refused (auth_request drops the body).</summary>
    public const string RefusalHeader = QueryRefusals.RefusalHeader;

    public static IEndpointRouteBuilder MapQueryEndpoints(this IEndpointRouteBuilder app)
    {
        var query = app.MapGroup("/v1").WithTags("Query side").ExemptFromScopes("the query side takes query tokens, not license keys");
        query.MapPost("/handshake", HandshakeAsync).WithName("Handshake").WithSummary("Check a query token (Authorization: Bearer tsq_…)").ProducesProblem(401);
        // GET is answered by GatewayAnswers ahead of routing (see there); this mapping documents it and serves other spellings of the path.
        // The workload parameters are declared for the API description only: AuthAsync reads them itself, the same for both mappings.
        query.MapGet("/auth", ([FromServices] GatewayAnswers answers, HttpContext context,
                [FromQuery(Name = GatewayAnswers.GuardedWorkloadParameter)] string? workload,
                [FromHeader(Name = GatewayAnswers.GuardedWorkloadHeader)] string? workloadHeader) => answers.AuthAsync(context))
            .WithName("Authorize")
            .WithSummary("Forward-auth for gateways: 204 with X-Tessera-Token-Id and X-Tessera-Workload-Id, or 401 / 403")
            .WithDescription("The gateway names the workload it guards with the 'workload' query parameter or the X-Tessera-Workload header " +
                             "(400 workload_required without either, workload_conflict when they differ). A usable token bound to another " +
                             "workload, or to an id no workload has, answers 403 token_wrong_workload.")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(400).ProducesProblem(401).ProducesProblem(403).ProducesProblem(429).ProducesProblem(503);
        return app;
    }

    private static async Task<Results<Ok<HandshakeResponse>, ProblemHttpResult>> HandshakeAsync(HttpRequest request, HttpResponse response,
        VerificationService verification, FailureLimiter limiter, CancellationToken cancellationToken)
    {
        var result = await verification.VerifyAsync(request.Headers.Authorization, cancellationToken);
        if (!result.Passed)
        {
            return Refuse(response, result, limiter);
        }
        // The only place the name is decoded into a string.
        var token = result.Token;
        return TypedResults.Ok(new HandshakeResponse(token.Id, token.Name, new WorkloadReference(token.Workload!.Id, token.Workload.Name), token.ExpiresAt));
    }

    internal static ProblemHttpResult Refuse(HttpResponse response, Verification result, FailureLimiter limiter)
    {
        // Abuse limit (issue #7): only a presented, refused token counts, and only after it was checked,
        // so a usable token is never refused however many failures its address has caused.
        if (!TryCountFailure(response.HttpContext, result, limiter, out var retryAfter))
        {
            response.Headers[RefusalHeader] = Tessera.Core.ErrorCodes.TooManyFailures;
            return FailureLimiter.TooManyFailures(response, retryAfter);
        }
        var code = result.Code;
        response.Headers[RefusalHeader] = code;
        // RFC 6750: a valid token that does not cover this resource is 403 insufficient_scope, not 401 (QueryRefusals).
        response.Headers.WWWAuthenticate = QueryRefusals.WwwAuthenticateOf(result.Outcome);
        return Problems.Create(QueryRefusals.StatusOf(result.Outcome), code, Refusals.QueryToken(result.Outcome));
    }

    /// <summary>
    /// Counts a refused query token against its address (a missing one is not a guess); false when the address is
    /// over its limit, with how long it must wait. The one failure count of every door that takes query tokens.
    /// </summary>
    internal static bool TryCountFailure(HttpContext context, Verification result, FailureLimiter limiter, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        return result.Outcome == VerificationOutcome.Missing || limiter.TryRecordFailure(context, FailureKind.QueryToken, out retryAfter);
    }
}
