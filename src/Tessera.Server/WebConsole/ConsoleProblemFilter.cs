using System.Data.Common;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Core.Infrastructure;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Tessera.Core;

namespace Tessera.Server.WebConsole;

/// <summary>
/// Turns what a page did not handle into a readable console page instead of a JSON problem: a form
/// posted without a valid antiforgery token (400), a database that cannot answer (503), a refusal
/// no page expected, or a bug (500, logged, no detail).
/// </summary>
public sealed class ConsoleProblemFilter(ILogger<ConsoleProblemFilter> logger, IModelMetadataProvider metadata)
    : IAlwaysRunResultFilter, IExceptionFilter
{
    public void OnResultExecuting(ResultExecutingContext context)
    {
        if (context.Result is IAntiforgeryValidationFailedResult)
        {
            context.Result = Problem(context.ModelState, StatusCodes.Status400BadRequest, "This form has expired",
                "The form was sent without a valid security token, so nothing was changed. Go back, reload the page and try again.");
        }
    }

    public void OnResultExecuted(ResultExecutedContext context)
    {
    }

    public void OnException(ExceptionContext context)
    {
        if (context.Exception is OperationCanceledException && context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        context.Result = context.Exception switch
        {
            TesseraException { Kind: ProblemKind.NotFound } =>
                Problem(context.ModelState, StatusCodes.Status404NotFound, "Not found", "There is nothing here in this account. It may have been deleted."),
            TesseraException { Kind: ProblemKind.Forbidden } e =>
                Problem(context.ModelState, StatusCodes.Status403Forbidden, "Not allowed with this license key", e.Message),
            TesseraException { Kind: ProblemKind.Unavailable } or DbException or TimeoutException =>
                Unavailable(context),
            TesseraException e =>
                Problem(context.ModelState, Http.Problems.StatusFor(e.Kind), "That did not work", e.Message),
            _ => Unexpected(context),
        };
        context.ExceptionHandled = true;
    }

    private PartialViewResult Unavailable(ExceptionContext context)
    {
        logger.LogWarning(context.Exception, "The database could not answer a console request.");
        context.HttpContext.Response.Headers.RetryAfter = "1";
        return Problem(context.ModelState, StatusCodes.Status503ServiceUnavailable, "Tessera is unavailable right now",
            "The database did not answer. Nothing was changed; try again in a moment.");
    }

    private PartialViewResult Unexpected(ExceptionContext context)
    {
        logger.LogError(context.Exception, "Unhandled exception in the console.");
        return Problem(context.ModelState, StatusCodes.Status500InternalServerError, "Something went wrong",
            "An unexpected error occurred. Nothing more is shown here on purpose; the server log has the details.");
    }

    private PartialViewResult Problem(ModelStateDictionary modelState, int status, string title, string detail) => new()
    {
        ViewName = "_Problem",
        StatusCode = status,
        ViewData = new ViewDataDictionary<ProblemView>(metadata, modelState) { Model = new ProblemView(status, title, detail) },
    };
}
