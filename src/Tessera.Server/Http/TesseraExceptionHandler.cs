using System.Data.Common;
using Microsoft.AspNetCore.Diagnostics;
using Tessera.Core;
using Tessera.Core.Verification;

namespace Tessera.Server.Http;

/// <summary>
/// Turns every exception into a problem response with a code: refusals into their 4xx, a database
/// that cannot answer into 503, anything else into a bare 500 without a stack trace.
/// </summary>
public sealed class TesseraExceptionHandler(ILogger<TesseraExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && DatabaseDeadline.ClientWentAway(httpContext))
        {
            return true; // the client went away; nobody is listening
        }
        var problem = exception switch
        {
            TesseraException e => Problems.Create(Problems.StatusFor(e.Kind), e.Code, e.Message, e.Errors),
            HttpProblemException e => Problems.Create(e.Status, e.Code, e.Message),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                Problems.Create(StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge, "The request body is too large."),
            BadHttpRequestException e => Problems.Create(e.StatusCode, ErrorCodes.BadRequest, "The request could not be read."),
            // The query side's deadline or breaker: the outage is reported once by the breaker and the follower, not per request.
            StoreUnavailableException => Problems.Create(StatusCodes.Status503ServiceUnavailable, ErrorCodes.ServiceUnavailable, exception.Message),
            DbException => Unavailable(exception),
            TimeoutException => Unavailable(exception),
            // The client is still there: only the request's database deadline cancels (DatabaseDeadline).
            OperationCanceledException => Unavailable(exception),
            _ => Unexpected(exception),
        };
        if (problem.StatusCode == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = "1";
        }
        await problem.ExecuteAsync(httpContext);
        return true;
    }

    private Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Unavailable(Exception exception)
    {
        logger.LogWarning(exception, "The database could not answer.");
        return Problems.Create(StatusCodes.Status503ServiceUnavailable, ErrorCodes.ServiceUnavailable,
            "The database is not available right now; retry shortly.");
    }

    private Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Unexpected(Exception exception)
    {
        logger.LogError(exception, "Unhandled exception.");
        return Problems.Create(StatusCodes.Status500InternalServerError, ErrorCodes.InternalError, "An unexpected error occurred.");
    }
}
