using System.Net;
using Tessera.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Client.Tests;

/// <summary>Issue 22 in the SDK: invitations and members against a real Tessera, refusals as API exceptions.</summary>
public sealed class MemberSdkTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    private TesseraManagementClient ClientFor(string key) => new(app.CreateClient(), new TesseraClientOptions { LicenseKey = key });

    [Fact]
    public async Task Members_are_invited_listed_changed_and_removed_and_the_last_owner_is_kept()
    {
        var account = await app.NewAccountAsync();
        using var client = ClientFor(account.LicenseKey);

        var invitation = await client.InviteAsync(new CreateInvitationRequest(Membership.UniqueEmail("grace"), "owner"));
        Assert.EndsWith("#" + invitation.Token, invitation.Link, StringComparison.Ordinal);
        Assert.Equal("pending", (await client.ListInvitationsAsync()).Single().Status);
        var owner = await (await app.AcceptAsync(invitation.Token)).ReadAsync<MemberResponse>(HttpStatusCode.Created);

        Assert.Equal([owner.Id], (await client.ListMembersAsync()).Select(m => m.Id));
        var lastOwner = await Assert.ThrowsAsync<TesseraApiException>(() => client.UpdateMemberAsync(owner.Id, new UpdateMemberRequest(Role: "viewer")));
        Assert.Equal((HttpStatusCode.Conflict, "last_owner"), (lastOwner.StatusCode, lastOwner.Code));
        var renamed = await client.UpdateMemberAsync(owner.Id, new UpdateMemberRequest(DisplayName: "Grace H."));
        Assert.Equal(("Grace H.", "owner"), (renamed.DisplayName, (await client.GetMemberAsync(owner.Id)).Role));

        var second = await client.InviteAsync(new CreateInvitationRequest(Membership.UniqueEmail(), "viewer"));
        await client.RevokeInvitationAsync(second.Id);
        await (await app.AcceptAsync(second.Token)).ProblemAsync(HttpStatusCode.Unauthorized, "invitation_invalid");
        var removeLast = await Assert.ThrowsAsync<TesseraApiException>(() => client.RemoveMemberAsync(owner.Id));
        Assert.Equal("last_owner", removeLast.Code);
        var missing = await Assert.ThrowsAsync<TesseraApiException>(() => client.GetMemberAsync("mem_00000000000000000000000000000000"));
        Assert.Equal((HttpStatusCode.NotFound, "member_not_found"), (missing.StatusCode, missing.Code));
    }
}
