using Microsoft.AspNetCore.Mvc;
using Tessera.Contracts;
using Tessera.Core;
using Tessera.Core.Accounts;
using Tessera.Core.Members;
using Tessera.Server.Auth;
using Tessera.Server.Endpoints;

namespace Tessera.Server.WebConsole.Pages;

/// <summary>
/// The account's members (issue 22): invite (the link shown once), change a role, remove, see the last sign-in and the
/// pending invitations. Only members and roles within the signed-in person's (or key's) own are listed and offered.
/// </summary>
[RequiredScope(Scopes.KeysManage)]
public sealed class MembersModel(MemberService members, TimeProvider time) : ConsolePageModel(time)
{
    [BindProperty(Name = "email")]
    public string? Email { get; set; }

    [BindProperty(Name = "role")]
    public string? Role { get; set; }

    public IReadOnlyList<Member> Members { get; private set; } = [];

    public IReadOnlyList<Invitation> Invitations { get; private set; } = [];

    /// <summary>The invitation just made and its link, shown this once.</summary>
    public (Invitation Invitation, string Link)? Created { get; private set; }

    /// <summary>The roles the signed-in caller may give: none wider than its own.</summary>
    public IEnumerable<string> GrantableRoles => Roles.All.Where(r => Scopes.CoversAll(Caller.Scopes, Roles.ScopesOf(r)));

    public string? Self => Caller.MemberId;

    public async Task OnGetAsync([FromQuery] string? done, CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        Notice = done switch
        {
            "removed" => "Member removed. Their console sessions end at their next request.",
            "changed" => "Role changed. The member's console sessions end at their next request; they sign in again with the new role.",
            "revoked" => "Invitation revoked. Its link no longer works.",
            _ => null,
        };
    }

    [RequiredScope(Scopes.KeysManage)]
    public async Task<IActionResult> OnPostInviteAsync(CancellationToken cancellationToken)
    {
        try
        {
            var (invitation, secret) = await members.InviteAsync(Caller, Email, Role, null, null, cancellationToken);
            Created = (invitation, MemberEndpoints.LinkOf(Request, secret));
            Email = null;
            Role = null;
        }
        catch (TesseraException e) when (e.Kind is ProblemKind.Validation or ProblemKind.Conflict)
        {
            Show(e);
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    [RequiredScope(Scopes.KeysManage)]
    public Task<IActionResult> OnPostRoleAsync([FromForm] string? memberId, [FromForm] string? newRole, CancellationToken cancellationToken) =>
        ChangeAsync(() => members.UpdateAsync(Caller, memberId ?? "", new MemberPatch { Role = Optional<string?>.Of(newRole) }, cancellationToken),
            "changed", cancellationToken);

    [RequiredScope(Scopes.KeysManage)]
    public Task<IActionResult> OnPostRemoveAsync([FromForm] string? memberId, CancellationToken cancellationToken) =>
        ChangeAsync(() => members.RemoveAsync(Caller, memberId ?? "", cancellationToken), "removed", cancellationToken);

    [RequiredScope(Scopes.KeysManage)]
    public Task<IActionResult> OnPostRevokeAsync([FromForm] string? invitationId, CancellationToken cancellationToken) =>
        ChangeAsync(() => members.RevokeInvitationAsync(Caller, invitationId ?? "", cancellationToken), "revoked", cancellationToken);

    /// <summary>Runs a change and lands on the list; a refusal the person can act on (the last owner) is shown on the page.</summary>
    private async Task<IActionResult> ChangeAsync(Func<Task> change, string done, CancellationToken cancellationToken)
    {
        try
        {
            await change();
            return Redirect($"/members?done={done}");
        }
        catch (TesseraException e) when (e.Kind is ProblemKind.Conflict or ProblemKind.Validation)
        {
            Show(e);
            await LoadAsync(cancellationToken);
            return Page();
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Members = await members.ListAsync(Caller, cancellationToken);
        Invitations = [.. (await members.ListInvitationsAsync(Caller, cancellationToken)).Where(i => i.IsUsableAt(Now))];
    }
}
