using Microsoft.Extensions.Primitives;
using Tessera.Core;
using Tessera.Core.Verification;
using Tessera.Server.Abuse;
using Tessera.Server.Health;
using Tessera.Server.Http;

namespace Tessera.Server.Endpoints;

/// <summary>
/// The two answers asked for on every request that passes a gateway or a load balancer, <c>GET /v1/auth</c>
/// and <c>GET /healthz</c>, given ahead of routing and of the management pipeline (status-code pages,
/// console, license-key authentication, endpoint execution), which they do not need. They carry the
/// same headers and problems as every API answer; a failure goes through the same exception handler.
/// The endpoints stay mapped too: they document these answers and serve other spellings of the paths.
/// </summary>
public sealed class GatewayAnswers(VerificationService verification, VerificationOptions options, FailureLimiter limiter, TesseraExceptionHandler exceptions)
{
    public const string TokenIdHeader = QueryRefusals.TokenIdHeader;
    public const string WorkloadIdHeader = QueryRefusals.WorkloadIdHeader;

    /// <summary>The workload a gateway guards, for gateways that cannot add a query string (API.md §4).</summary>
    public const string GuardedWorkloadHeader = "X-Tessera-Workload";

    /// <summary>The same, as the query parameter of <c>GET /v1/auth?workload=wl_…</c>.</summary>
    public const string GuardedWorkloadParameter = "workload";


    /// <summary>Answers <c>GET /v1/auth</c> and <c>GET /healthz</c> here; every other request goes on down the pipeline.</summary>
    public static IApplicationBuilder UseGatewayAnswers(IApplicationBuilder app)
    {
        var answers = app.ApplicationServices.GetRequiredService<GatewayAnswers>();
        return app.Use((context, next) =>
        {
            var request = context.Request;
            if (HttpMethods.IsGet(request.Method))
            {
                var path = request.Path.Value;
                if (string.Equals(path, "/v1/auth", StringComparison.Ordinal))
                {
                    return answers.AuthAsync(context);
                }
                if (string.Equals(path, HealthEndpoints.LivenessPath, StringComparison.Ordinal))
                {
                    return HealthEndpoints.LivenessAsync(context);
                }
            }
            return next(context);
        });
    }

    /// <summary>
    /// 204 with the token and workload ids, or the refusal; decided from memory without awaiting when the token
    /// is known. The gateway must name the workload it guards (fail closed): without it nobody passes.
    /// </summary>
    public Task AuthAsync(HttpContext context)
    {
        ApiSecurityHeaders.Apply(context.Response);
        if (!TryReadGuardedWorkload(context.Request, out var workloadId, out var code, out var problem))
        {
            // auth_request drops the body: the header tells the gateway's operator why nobody gets in.
            context.Response.Headers[QueryEndpoints.RefusalHeader] = code;
            return problem.ExecuteAsync(context);
        }
        var pending = verification.VerifyAsync(context.Request.Headers.Authorization, workloadId, context.RequestAborted);
        return pending.IsCompletedSuccessfully ? AnswerAsync(context, pending.Result) : AwaitAsync(context, pending);
    }

    /// <summary>
    /// The workload named by the query parameter or the header: 400 when neither (unless AllowAnyWorkload, then
    /// null), when they differ, or when the value is not a workload id at all (a name, say: a configuration
    /// mistake worth saying so, rather than refusing every token with 403).
    /// </summary>
    private bool TryReadGuardedWorkload(HttpRequest request, out string? workloadId, out string code, out IResult problem)
    {
        workloadId = null;
        var query = Single(request.QueryString.HasValue ? request.Query[GuardedWorkloadParameter] : StringValues.Empty, out var queryRepeated);
        // A proxy may join two header lines into one, comma-separated: ids hold no comma, so each part is one value.
        var header = Single(request.Headers[GuardedWorkloadHeader], out var headerRepeated);
        if (queryRepeated || headerRepeated || (query is not null && header is not null && !string.Equals(query, header, StringComparison.Ordinal)))
        {
            code = ErrorCodes.WorkloadConflict;
            problem = Problems.Create(StatusCodes.Status400BadRequest, code,
                $"Name the guarded workload once: the '{GuardedWorkloadParameter}' query parameter or the {GuardedWorkloadHeader} header, or both with the same id.");
            return false;
        }
        workloadId = query ?? header;
        if (workloadId is null)
        {
            code = ErrorCodes.WorkloadRequired;
            problem = Problems.Create(StatusCodes.Status400BadRequest, code,
                $"Name the workload this gateway guards: GET /v1/auth?{GuardedWorkloadParameter}=wl_… or the {GuardedWorkloadHeader} header.");
            return options.AllowAnyWorkload;
        }
        if (!workloadId.StartsWith(Ids.Workload, StringComparison.Ordinal))
        {
            code = ErrorCodes.WorkloadMalformed;
            problem = Problems.Create(StatusCodes.Status400BadRequest, code, Refusals.GuardedWorkloadById);
            return false;
        }
        code = "";
        problem = null!;
        return true;
    }

    /// <summary>The first non-empty value among <paramref name="values"/> (comma-separated parts count as values), or null; <paramref name="repeated"/> when there are more.</summary>
    private static string? Single(StringValues values, out bool repeated)
    {
        string? found = null;
        repeated = false;
        foreach (var value in values)
        {
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }
            if (!value.Contains(',', StringComparison.Ordinal))
            {
                // The gateway's usual request: one value, taken as it is (no split, nothing allocated).
                repeated |= found is not null;
                found ??= value.Trim();
                continue;
            }
            foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                // Named twice is a conflict even with the same id: one of the two was not meant.
                repeated |= found is not null;
                found ??= part;
            }
        }
        return found;
    }

    private async Task AwaitAsync(HttpContext context, ValueTask<Verification> pending)
    {
        Verification result;
        try
        {
            result = await pending;
        }
        catch (Exception e)
        {
            await exceptions.TryHandleAsync(context, e, context.RequestAborted);
            return;
        }
        await AnswerAsync(context, result);
    }

    private Task AnswerAsync(HttpContext context, Verification result)
    {
        var response = context.Response;
        if (!result.Passed)
        {
            return QueryEndpoints.Refuse(response, result, limiter).ExecuteAsync(context);
        }
        response.StatusCode = StatusCodes.Status204NoContent;
        // The token id is the one string formatted per answer; the workload id is shared by its tokens.
        response.Headers[TokenIdHeader] = result.Token.Id;
        response.Headers[WorkloadIdHeader] = result.Token.Workload!.Id;
        return Task.CompletedTask;
    }
}
