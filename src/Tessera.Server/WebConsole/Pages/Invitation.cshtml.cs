using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Tessera.Core;
using Tessera.Core.Members;
using Tessera.Server.Abuse;
using Tessera.Server.Auth;

namespace Tessera.Server.WebConsole.Pages;

/// <summary>
/// Where an invitation link lands (issue 22): the invitee chooses a password (and may correct their name) and becomes a
/// member. The secret arrives in the link's fragment and is posted in the form, never in a URL the server sees.
/// </summary>
[ScopeExempt("the invitation's own secret is the credential: the invitee holds no key")]
public sealed class InvitationModel(MemberService members, FailureLimiter limiter) : PageModel
{
    public bool Refused { get; private set; }

    public string? DisplayName { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync([FromForm] string? token, [FromForm] string? displayName, [FromForm] string? password,
        CancellationToken cancellationToken)
    {
        DisplayName = displayName;
        try
        {
            await members.AcceptAsync(token?.Trim(), string.IsNullOrWhiteSpace(displayName) ? null : displayName, password, HttpContext.ClientIp(),
                cancellationToken);
            return Redirect("/sign-in?joined=1");
        }
        catch (TesseraException e) when (e.Kind is ProblemKind.Unauthorized)
        {
            Refused = true;
            if (!limiter.TryRecordFailure(HttpContext, FailureKind.LicenseKey, out var retryAfter))
            {
                FailureLimiter.SetRetryAfter(Response, retryAfter);
                Response.StatusCode = StatusCodes.Status429TooManyRequests;
                return Page();
            }
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        catch (TesseraException e) when (e.Kind is ProblemKind.Validation or ProblemKind.Conflict)
        {
            foreach (var (field, messages) in e.Errors ?? new Dictionary<string, string[]> { [""] = [e.Message] })
            {
                foreach (var message in messages)
                {
                    ModelState.AddModelError(field, message);
                }
            }
            Response.StatusCode = e.Kind is ProblemKind.Conflict ? StatusCodes.Status409Conflict : StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
    }
}
