using Tessera.Contracts;

namespace Tessera.Client;

/// <summary>Members and invitations (<c>/v1/members</c>, <c>/v1/invitations</c>; scope <c>keys:manage</c>).</summary>
public sealed partial class TesseraManagementClient
{
    /// <summary><c>GET /v1/members</c>: the account's members within the key's own scopes and workloads.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<MemberResponse>> ListMembersAsync(CancellationToken cancellationToken = default) =>
        (await _http.SendAsync(HttpMethod.Get, "v1/members", null, Json.ItemsResponseMemberResponse, cancellationToken)).Items;

    /// <summary><c>GET /v1/members/{id}</c>.</summary>
    /// <param name="memberId">The member's id (<c>mem_…</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<MemberResponse> GetMemberAsync(string memberId, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Get, $"v1/members/{Id(memberId)}", null, Json.MemberResponse, cancellationToken);

    /// <summary><c>PATCH /v1/members/{id}</c>: changes the role, display name and/or workloads (an absent field stays as it is); the last owner stays owner (409 <c>last_owner</c>).</summary>
    /// <param name="memberId">The member's id (<c>mem_…</c>).</param>
    /// <param name="request">The fields to change.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<MemberResponse> UpdateMemberAsync(string memberId, UpdateMemberRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _http.SendAsync(HttpMethod.Patch, $"v1/members/{Id(memberId)}", TesseraHttp.MergePatch(request, Json.UpdateMemberRequest), Json.MemberResponse,
            cancellationToken);
    }

    /// <summary><c>DELETE /v1/members/{id}</c>: removes a member (not the last owner).</summary>
    /// <param name="memberId">The member's id (<c>mem_…</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task RemoveMemberAsync(string memberId, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Delete, $"v1/members/{Id(memberId)}", null, cancellationToken);

    /// <summary><c>GET /v1/invitations</c>: invitations, never their secrets.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<InvitationResponse>> ListInvitationsAsync(CancellationToken cancellationToken = default) =>
        (await _http.SendAsync(HttpMethod.Get, "v1/invitations", null, Json.ItemsResponseInvitationResponse, cancellationToken)).Items;

    /// <summary>
    /// <c>POST /v1/invitations</c>: invites a person; <see cref="CreatedInvitationResponse.Link"/> (with the secret in its
    /// fragment) is shown this once and works once, for 7 days.
    /// </summary>
    /// <param name="request">Email, role, and optionally a display name and workloads.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<CreatedInvitationResponse> InviteAsync(CreateInvitationRequest request, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Post, "v1/invitations", TesseraHttp.Json(request, Json.CreateInvitationRequest),
            Json.CreatedInvitationResponse, cancellationToken);

    /// <summary><c>DELETE /v1/invitations/{id}</c>: revokes a pending invitation; its link stops working.</summary>
    /// <param name="invitationId">The invitation's id (<c>inv_…</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task RevokeInvitationAsync(string invitationId, CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Delete, $"v1/invitations/{Id(invitationId)}", null, cancellationToken);
}
