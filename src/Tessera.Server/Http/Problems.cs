using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Core;

namespace Tessera.Server.Http;

/// <summary>Builds RFC 9457 problem responses carrying Tessera's stable <c>code</c>.</summary>
public static class Problems
{
    public static ProblemHttpResult Create(int status, string code, string detail, IReadOnlyDictionary<string, string[]>? errors = null)
    {
        var extensions = new Dictionary<string, object?> { ["code"] = code };
        if (errors is not null)
        {
            extensions["errors"] = errors;
        }
        return TypedResults.Problem(detail: detail, statusCode: status, title: TitleFor(status), extensions: extensions);
    }

    /// <summary>A problem with members of its own beside <c>code</c> (a bulk import's row errors, a replay's ids).</summary>
    public static ProblemHttpResult Create(int status, string code, string detail, IEnumerable<KeyValuePair<string, object?>> members)
    {
        var extensions = new Dictionary<string, object?>(members) { ["code"] = code };
        return TypedResults.Problem(detail: detail, statusCode: status, title: TitleFor(status), extensions: extensions);
    }

    public static int StatusFor(ProblemKind kind) => kind switch
    {
        ProblemKind.BadRequest => StatusCodes.Status400BadRequest,
        ProblemKind.Unauthorized => StatusCodes.Status401Unauthorized,
        ProblemKind.Forbidden => StatusCodes.Status403Forbidden,
        ProblemKind.NotFound => StatusCodes.Status404NotFound,
        ProblemKind.Conflict => StatusCodes.Status409Conflict,
        ProblemKind.PreconditionFailed => StatusCodes.Status412PreconditionFailed,
        ProblemKind.Validation => StatusCodes.Status422UnprocessableEntity,
        ProblemKind.Gone => StatusCodes.Status410Gone,
        _ => StatusCodes.Status503ServiceUnavailable,
    };

    /// <summary>The code given to a problem that no Tessera code was attached to (framework-generated ones).</summary>
    public static string CodeFor(int status) => status switch
    {
        StatusCodes.Status404NotFound => ErrorCodes.NotFound,
        StatusCodes.Status405MethodNotAllowed => ErrorCodes.MethodNotAllowed,
        StatusCodes.Status413PayloadTooLarge => ErrorCodes.PayloadTooLarge,
        StatusCodes.Status415UnsupportedMediaType => ErrorCodes.UnsupportedMediaType,
        StatusCodes.Status503ServiceUnavailable => ErrorCodes.ServiceUnavailable,
        >= 500 => ErrorCodes.InternalError,
        _ => ErrorCodes.BadRequest,
    };

    private static string TitleFor(int status) => Tessera.Core.Verification.QueryRefusals.TitleOf(status);
}
