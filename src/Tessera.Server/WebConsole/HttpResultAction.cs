using Microsoft.AspNetCore.Mvc;

namespace Tessera.Server.WebConsole;

/// <summary>Lets a console handler answer with what an API endpoint answers (the CSV export), written once, not twice.</summary>
public sealed class HttpResultAction(IResult result) : IActionResult
{
    public Task ExecuteResultAsync(ActionContext context) => result.ExecuteAsync(context.HttpContext);
}
