using System.Reflection;
using Microsoft.AspNetCore.Mvc.Filters;
using Tessera.Core;
using Tessera.Core.Accounts;
using Tessera.Server.Auth;

namespace Tessera.Server.WebConsole;

/// <summary>
/// The console's one scope check (ADR 0011): a handler's <see cref="RequiredScopeAttribute"/>, or its page's for
/// a handler that declares none, must be held by the signed-in key; otherwise the request is refused (403 page,
/// recorded in the audit trail) before the handler runs, so a form posted by hand changes nothing. A page that
/// declares no scope at all and is not exempt is refused too: forgetting fails closed.
/// </summary>
public sealed class ConsoleScopeFilter(AccountService accounts) : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var page = context.ActionDescriptor.ModelTypeInfo ?? context.ActionDescriptor.PageTypeInfo;
        if (page.GetCustomAttribute<ScopeExemptAttribute>() is not null)
        {
            await next();
            return;
        }
        var declared = context.HandlerMethod?.MethodInfo.GetCustomAttribute<RequiredScopeAttribute>()
            ?? page.GetCustomAttribute<RequiredScopeAttribute>()
            ?? throw new InvalidOperationException($"Console page {page.Name} declares no scope.");
        var caller = context.HttpContext.ConsoleCaller();
        if (declared.Scope is { } needed && !caller.Holds(needed))
        {
            var handler = context.HandlerMethod?.Name is { Length: > 0 } name ? $"?handler={name}" : "";
            await accounts.RecordScopeRefusalAsync(caller, needed,
                $"{context.HttpContext.Request.Method} {context.ActionDescriptor.ViewEnginePath}{handler}", context.HttpContext.RequestAborted);
            // Shown by ConsoleProblemFilter as a 403 page.
            throw new TesseraException(ProblemKind.Forbidden, ErrorCodes.InsufficientScope, caller.MemberId is null
                ? $"The license key you signed in with does not hold the '{needed}' scope, so this is not available to you. Nothing was changed."
                : $"Your role does not hold the '{needed}' scope, so this is not available to you. Nothing was changed.");
        }
        await next();
    }
}
