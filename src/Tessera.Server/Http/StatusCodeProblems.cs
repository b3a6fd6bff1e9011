using Microsoft.AspNetCore.Diagnostics;

namespace Tessera.Server.Http;

/// <summary>
/// The body of an error the framework answers by itself (no route 404, 405, routing's 415): always a
/// problem with a code. The default writer gives up when the client's Accept header leaves out JSON and
/// falls back to plain text; the fuzz suite (issue #7) found that, and clients rely on the code.
/// </summary>
public static class StatusCodeProblems
{
    public static Task WriteAsync(StatusCodeContext context)
    {
        var status = context.HttpContext.Response.StatusCode;
        var detail = status switch
        {
            StatusCodes.Status404NotFound => "There is nothing at this address.",
            StatusCodes.Status405MethodNotAllowed => "This address does not take this method.",
            StatusCodes.Status415UnsupportedMediaType => "Send the body as application/json (or application/merge-patch+json where a patch is taken).",
            _ => "The request could not be served.",
        };
        return Problems.Create(status, Problems.CodeFor(status), detail).ExecuteAsync(context.HttpContext);
    }
}
