using Microsoft.AspNetCore.Mvc;
using Tessera.Core;
using Tessera.Core.Members;
using Tessera.Server.Auth;

namespace Tessera.Server.WebConsole.Pages;

/// <summary>The signed-in person's own page: who they are, their role, and changing their password.</summary>
[RequiredScope(null)]
public sealed class ProfileModel(MemberService members, MemberSignInService people, TimeProvider time) : ConsolePageModel(time)
{
    /// <summary>Null when the session is a license key's: a key has no profile.</summary>
    public Member? Member { get; private set; }

    public async Task OnGetAsync([FromQuery] string? done, CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        Notice = done == "password" ? "Password changed." : null;
    }

    [RequiredScope(null)]
    public async Task<IActionResult> OnPostPasswordAsync([FromForm] string? currentPassword, [FromForm] string? newPassword, CancellationToken cancellationToken)
    {
        try
        {
            await people.ChangePasswordAsync(Caller, currentPassword, newPassword, cancellationToken);
            return Redirect("/profile?done=password");
        }
        catch (TesseraException e) when (e.Kind is ProblemKind.Validation)
        {
            Show(e);
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        // A member always sees themselves, whatever their role lets them see of others.
        Member = Caller.MemberId is null ? null : await members.GetSelfAsync(Caller, cancellationToken);
    }
}
