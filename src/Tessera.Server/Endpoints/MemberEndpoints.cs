using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Contracts;
using Tessera.Core;
using Tessera.Core.Accounts;
using Tessera.Core.Members;
using Tessera.Server.Abuse;
using Tessera.Server.Auth;
using Tessera.Server.Http;

namespace Tessera.Server.Endpoints;

/// <summary><c>/v1/members</c> and <c>/v1/invitations</c> (issue 22): membership can be automated as well as clicked.</summary>
public static class MemberEndpoints
{
    /// <summary>The console page an invitation link opens; the secret follows in the fragment.</summary>
    public const string InvitationPage = "/invitation";

    public static RouteGroupBuilder MapMemberEndpoints(this RouteGroupBuilder v1)
    {
        var members = v1.MapGroup("/members").WithTags("Members").RequireScope(Scopes.KeysManage);
        members.MapGet("", ListAsync).WithName("ListMembers").WithSummary("List the account's members (those within the caller's own role and workloads)");
        members.MapGet("/{id}", GetAsync).WithName("GetMember").WithSummary("Read a member").ProducesProblem(404);
        members.MapPatch("/{id}", UpdateAsync).WithName("UpdateMember").WithSummary("Change a member's role, display name or workloads (JSON merge patch); the last owner stays owner")
            .ProducesProblem(403).ProducesProblem(404).ProducesProblem(409).ProducesProblem(422);
        members.MapDelete("/{id}", RemoveAsync).WithName("RemoveMember").WithSummary("Remove a member (not the last owner)").ProducesProblem(404).ProducesProblem(409);

        var invitations = v1.MapGroup("/invitations").WithTags("Members");
        invitations.MapGet("", ListInvitationsAsync).WithName("ListInvitations").WithSummary("List invitations (never their secrets)").RequireScope(Scopes.KeysManage);
        invitations.MapPost("", InviteAsync).WithName("CreateInvitation").WithSummary("Invite a person by email with a role; the response carries the one-time link, once (valid 7 days)")
            .ProducesProblem(403).ProducesProblem(409).ProducesProblem(422)
            .RequireScope(Scopes.KeysManage);
        invitations.MapDelete("/{id}", RevokeInvitationAsync).WithName("RevokeInvitation").WithSummary("Revoke a pending invitation: its link stops working").ProducesProblem(404)
            .RequireScope(Scopes.KeysManage);
        return v1;
    }

    /// <summary>
    /// Using an invitation, mapped beside <c>/v1</c> rather than in it: the invitee holds no license key, and the group's key
    /// scheme would count every invitation as a refused key against the address.
    /// </summary>
    public static IEndpointRouteBuilder MapInvitationAcceptance(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/invitations/accept", AcceptAsync).WithName("AcceptInvitation").WithTags("Members")
            .WithSummary("Use an invitation (Authorization: Bearer tsi_…): become a member with the password given; works once")
            .ProducesProblem(401).ProducesProblem(409).ProducesProblem(422).ProducesProblem(429)
            .ExemptFromScopes("the invitation's own secret is the credential: the invitee holds no key");
        return app;
    }

    private static async Task<Ok<ItemsResponse<MemberResponse>>> ListAsync(ClaimsPrincipal user, MemberService members, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ItemsResponse<MemberResponse>([.. (await members.ListAsync(user.Caller(), cancellationToken)).Select(Responses.Member)]));

    private static async Task<Ok<MemberResponse>> GetAsync(string id, ClaimsPrincipal user, MemberService members, CancellationToken cancellationToken) =>
        TypedResults.Ok(Responses.Member(await members.GetAsync(user.Caller(), id, cancellationToken)));

    private static async Task<Ok<MemberResponse>> UpdateAsync(string id, JsonRequest<UpdateMemberRequest> body, ClaimsPrincipal user, MemberService members,
        CancellationToken cancellationToken)
    {
        var caller = user.Caller();
        // Another account's member: 404 before the change is judged (a body of the wrong shape is refused before either, alike for every id).
        await members.GetAsync(caller, id, cancellationToken);
        var update = body.Value;
        var patch = new MemberPatch { Role = update.Role, DisplayName = update.DisplayName, WorkloadIds = update.WorkloadIds };
        return TypedResults.Ok(Responses.Member(await members.UpdateAsync(caller, id, patch, cancellationToken)));
    }

    private static async Task<NoContent> RemoveAsync(string id, ClaimsPrincipal user, MemberService members, CancellationToken cancellationToken)
    {
        await members.RemoveAsync(user.Caller(), id, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<ItemsResponse<InvitationResponse>>> ListInvitationsAsync(ClaimsPrincipal user, MemberService members, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return TypedResults.Ok(new ItemsResponse<InvitationResponse>([.. (await members.ListInvitationsAsync(user.Caller(), cancellationToken))
            .Select(i => Responses.Invitation(i, now))]));
    }

    private static async Task<Created<CreatedInvitationResponse>> InviteAsync(JsonRequest<CreateInvitationRequest> body, HttpRequest request, ClaimsPrincipal user,
        MemberService members, TimeProvider time, CancellationToken cancellationToken)
    {
        var invite = body.Value;
        var (invitation, secret) = await members.InviteAsync(user.Caller(), invite.Email, invite.Role, invite.DisplayName, invite.WorkloadIds, cancellationToken);
        return TypedResults.Created($"/v1/invitations/{invitation.Id}",
            new CreatedInvitationResponse(Responses.Invitation(invitation, time.GetUtcNow()), secret, LinkOf(request, secret)));
    }

    /// <summary>The invitation page on this server as the caller reached it, the secret in the fragment (never sent to a server).</summary>
    public static string LinkOf(HttpRequest request, string secret) => $"{request.Scheme}://{request.Host}{request.PathBase}{InvitationPage}#{secret}";

    private static async Task<NoContent> RevokeInvitationAsync(string id, ClaimsPrincipal user, MemberService members, CancellationToken cancellationToken)
    {
        await members.RevokeInvitationAsync(user.Caller(), id, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Created<MemberResponse>, ProblemHttpResult>> AcceptAsync(JsonRequest<AcceptInvitationRequest> body, HttpContext context,
        MemberService members, FailureLimiter limiter, CancellationToken cancellationToken)
    {
        try
        {
            var member = await members.AcceptAsync(Bearer.From(context.Request.Headers.Authorization), body.Value.DisplayName, body.Value.Password,
                context.ClientIp(), cancellationToken);
            return TypedResults.Created($"/v1/members/{member.Id}", Responses.Member(member));
        }
        catch (TesseraException refused) when (refused.Kind == ProblemKind.Unauthorized && refused.Code != ErrorCodes.InvitationMissing)
        {
            // A guessed or replayed link draws on the address's budget of refused credentials, like a bad key.
            if (!limiter.TryRecordFailure(context, FailureKind.LicenseKey, out var retryAfter))
            {
                return FailureLimiter.TooManyFailures(context.Response, retryAfter);
            }
            throw;
        }
    }
}
