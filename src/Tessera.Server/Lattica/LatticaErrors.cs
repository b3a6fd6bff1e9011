using System.Text;
using System.Text.Json.Nodes;
using Tessera.Core;
using Tessera.Server.Http;

namespace Tessera.Server.Lattica;

/// <summary>
/// Refusals on the Lattica surface: the status Tessera would give, with the body the Lattica SDK
/// understands, <c>{"error": message, "error_code": CODE}</c>, where CODE is Tessera's stable code in
/// upper case (e.g. <c>TOKEN_NOT_FOUND</c>). Field names in messages use the Lattica spelling.
/// </summary>
public static class LatticaErrors
{
    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (TesseraException e)
        {
            var status = Problems.StatusFor(e.Kind);
            if (status == StatusCodes.Status401Unauthorized)
            {
                context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            }
            return Result(status, e.Code, Describe(e, context.HttpContext.Request.Path));
        }
        catch (HttpProblemException e)
        {
            return Result(e.Status, e.Code, e.Message);
        }
    }

    public static IResult Result(int status, string code, string message) =>
        Json(status, new JsonObject { ["error"] = message, ["error_code"] = code.ToUpperInvariant() });

    public static IResult Json(int status, JsonObject body) =>
        TypedResults.Text(body.ToJsonString(), "application/json", Encoding.UTF8, status);

    private static string Describe(TesseraException e, PathString path)
    {
        if (e.Errors is null or { Count: 0 })
        {
            return e.Message;
        }
        var model = path.StartsWithSegments("/api/model", StringComparison.Ordinal);
        var fields = e.Errors.Select(kv => $"{LatticaName(kv.Key, model)}: {string.Join(" ", kv.Value)}");
        return $"{e.Message} {string.Join("; ", fields)}";
    }

    /// <summary>The use cases name fields as /v1 does; say them as the Lattica caller sent them.</summary>
    private static string LatticaName(string field, bool model) => field switch
    {
        "name" => model ? "modelName" : "tokenName",
        "note" => "tokenNote",
        "workloadId" => "modelId",
        _ => field,
    };
}
