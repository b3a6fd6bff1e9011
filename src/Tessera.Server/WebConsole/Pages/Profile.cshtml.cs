using Microsoft.AspNetCore.Mvc;
using Tessera.Core;
using Tessera.Core.Members;
using Tessera.Server.Auth;

namespace Tessera.Server.WebConsole.Pages;

/// <summary>The signed-in person's own page: who they are, their role, and changing their password.</summary>
[RequiredScope(null)]
public sealed class ProfileModel(MemberService members, MemberSignInService people, MemberTotpService totp, TotpSetup setup, TimeProvider time)
    : ConsolePageModel(time)
{
    /// <summary>A two-step setup in progress: the sealed secret the confirm form carries, the secret as text and its QR code.</summary>
    public (string Sealed, string Secret, string QrCode)? Setup { get; private set; }

    /// <summary>The recovery codes, shown once, right after two-step sign-in was turned on.</summary>
    public IReadOnlyList<string> RecoveryCodes { get; private set; } = [];

    /// <summary>Null when the session is a license key's: a key has no profile.</summary>
    public Member? Member { get; private set; }

    public async Task OnGetAsync([FromQuery] string? done, CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        Notice = done switch
        {
            "password" => "Password changed.",
            "two-step-off" => "Two-step sign-in is off.",
            _ => null,
        };
    }

    [RequiredScope(null)]
    public Task<IActionResult> OnPostPasswordAsync([FromForm] string? currentPassword, [FromForm] string? newPassword, CancellationToken cancellationToken) =>
        ChangeAsync(() => people.ChangePasswordAsync(Caller, currentPassword, newPassword, cancellationToken), "password", cancellationToken);

    [RequiredScope(null)]
    public async Task<IActionResult> OnPostTwoStepAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        if (Member is { } member)
        {
            var secret = MemberTotpService.NewSecret();
            Setup = (setup.Seal(member.Id, secret), secret, TotpSetup.QrCode(secret, member.Email));
        }
        return Page();
    }

    [RequiredScope(null)]
    public async Task<IActionResult> OnPostConfirmTwoStepAsync([FromForm] string? setupToken, [FromForm] string? code, CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        if (Member is not { } member || setup.Open(member.Id, setupToken) is not { } secret)
        {
            Error = "This setup has expired. Start again.";
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
        try
        {
            RecoveryCodes = await totp.EnableAsync(Caller, secret, code, cancellationToken);
            await LoadAsync(cancellationToken);
        }
        catch (TesseraException e) when (e.Kind is ProblemKind.Validation)
        {
            Show(e);
            Setup = (setupToken!, secret, TotpSetup.QrCode(secret, member.Email));
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        }
        return Page();
    }

    /// <summary>Turns two-step sign-in off; the password or a current code must be given (a session left open is not enough).</summary>
    [RequiredScope(null)]
    public Task<IActionResult> OnPostDisableTwoStepAsync([FromForm] string? password, [FromForm] string? code, CancellationToken cancellationToken) =>
        ChangeAsync(() => totp.DisableAsync(Caller, password, code, cancellationToken), "two-step-off", cancellationToken);

    /// <summary>New recovery codes, shown this once; the old ones stop working. Proven like turning two-step off.</summary>
    [RequiredScope(null)]
    public async Task<IActionResult> OnPostRecoveryCodesAsync([FromForm] string? password, [FromForm] string? code, CancellationToken cancellationToken)
    {
        try
        {
            RecoveryCodes = await totp.RegenerateRecoveryCodesAsync(Caller, password, code, cancellationToken);
        }
        catch (TesseraException e) when (e.Kind is ProblemKind.Validation)
        {
            Show(e);
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    /// <summary>Makes a change and comes back to the profile with its notice, or shows the page again with the refusal (422).</summary>
    private async Task<IActionResult> ChangeAsync(Func<Task> change, string done, CancellationToken cancellationToken)
    {
        try
        {
            await change();
            return Redirect($"/profile?done={done}");
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
