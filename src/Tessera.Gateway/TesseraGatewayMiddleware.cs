using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using Tessera.Core;
using Tessera.Core.Verification;
using Yarp.ReverseProxy.Model;

namespace Tessera.Gateway;

/// <summary>
/// Decides every request to an endpoint carrying <see cref="TesseraWorkload"/> (or a YARP route whose metadata names
/// one) from the replica: refused as <c>GET /v1/auth</c> refuses (status, <c>WWW-Authenticate</c>,
/// <c>X-Tessera-Error</c>, problem body with its <c>code</c>), or passed on with <c>X-Tessera-Token-Id</c> and
/// <c>X-Tessera-Workload-Id</c> set and <c>Authorization</c> removed. 503 <c>service_unavailable</c> while the
/// replica is not trusted. Requests to other endpoints pass untouched.
/// </summary>
internal sealed class TesseraGatewayMiddleware(RequestDelegate next, TesseraReplica replica, GatewayMetrics metrics)
{
    public Task InvokeAsync(HttpContext context)
    {
        var workloadId = WorkloadOf(context.GetEndpoint());
        if (workloadId is null)
        {
            return next(context);
        }
        var request = context.Request;
        if (!workloadId.StartsWith(Ids.Workload, StringComparison.Ordinal))
        {
            // The server's answer to a gateway naming its workload by something else than an id.
            context.Response.Headers[QueryRefusals.RefusalHeader] = ErrorCodes.WorkloadMalformed;
            return ProblemAsync(context, 400, ErrorCodes.WorkloadMalformed, Refusals.GuardedWorkloadById);
        }
        var result = replica.Verify(request.Headers.Authorization, workloadId);
        if (result is not { } verification)
        {
            metrics.Unavailable();
            context.Response.Headers.RetryAfter = "1";
            return ProblemAsync(context, 503, ErrorCodes.ServiceUnavailable,
                "The gateway's copy of Tessera's tokens is not current (Tessera is not answering); retry shortly.");
        }
        metrics.Decided(verification.Outcome);
        if (!verification.Passed)
        {
            var headers = context.Response.Headers;
            headers[QueryRefusals.RefusalHeader] = verification.Code;
            headers.WWWAuthenticate = QueryRefusals.WwwAuthenticateOf(verification.Outcome);
            return ProblemAsync(context, QueryRefusals.StatusOf(verification.Outcome), verification.Code, Refusals.QueryToken(verification.Outcome));
        }
        // The model sees who is asking, never the secret; whatever the client sent in these headers is replaced.
        var forwarded = request.Headers;
        forwarded.Authorization = default;
        forwarded[QueryRefusals.TokenIdHeader] = verification.Token.Id;
        forwarded[QueryRefusals.WorkloadIdHeader] = verification.Token.Workload!.Id;
        return next(context);
    }

    private static string? WorkloadOf(Endpoint? endpoint)
    {
        if (endpoint is null)
        {
            return null;
        }
        var metadata = endpoint.Metadata;
        if (metadata.GetMetadata<TesseraWorkload>() is { } workload)
        {
            return workload.WorkloadId;
        }
        return metadata.GetMetadata<RouteModel>()?.Config.Metadata is { } route && route.TryGetValue(TesseraWorkload.MetadataKey, out var id)
            ? id
            : null;
    }

    private static Task ProblemAsync(HttpContext context, int status, string code, string detail)
    {
        var headers = context.Response.Headers;
        headers.CacheControl = "no-store";
        headers[HeaderNames.XContentTypeOptions] = "nosniff";
        return TypedResults.Problem(detail: detail, statusCode: status, title: QueryRefusals.TitleOf(status),
            extensions: new Dictionary<string, object?> { ["code"] = code }).ExecuteAsync(context);
    }
}
