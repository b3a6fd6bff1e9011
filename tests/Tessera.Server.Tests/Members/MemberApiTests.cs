using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Contracts;
using Tessera.Core.Secrets;
using Tessera.Core.Storage;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Members;

/// <summary>
/// Issue 22, members and invitations through <c>/v1/members</c> and <c>/v1/invitations</c> on each database: one-time
/// links (single use, expired, tampered, revoked), roles a caller may grant, the last owner, and the audit trail.
/// </summary>
public abstract class MemberApiTests(TesseraApp app)
{
    public sealed class OnSqlite(AddressedApps.Sqlite fixture) : MemberApiTests(fixture.App), IClassFixture<AddressedApps.Sqlite>;

    public sealed class OnPostgres(AddressedApps.Postgres fixture) : MemberApiTests(fixture.App.Require()), IClassFixture<AddressedApps.Postgres>;

    [Fact]
    public async Task An_invitation_link_carries_its_secret_in_the_fragment_works_once_and_makes_a_member_with_its_role()
    {
        var account = await app.NewAccountAsync();
        var email = Membership.UniqueEmail("Ada");

        var invitedAt = app.Time.GetUtcNow();
        var invitation = await account.InviteAsync(email.ToUpperInvariant(), "developer");

        Assert.True(SecretFormat.IsWellFormed(invitation.Token, SecretKind.Invitation));
        Assert.Equal($"http://localhost/invitation#{invitation.Token}", invitation.Link);
        Assert.Equal((email.ToLowerInvariant(), "developer", "pending", invitedAt + TimeSpan.FromDays(7)),
            (invitation.Email, invitation.Role, invitation.Status, invitation.ExpiresAt));
        var listed = await (await account.Client.GetAsync("/v1/invitations")).Content.ReadAsStringAsync();
        Assert.Contains(invitation.Id, listed, StringComparison.Ordinal);
        Assert.DoesNotContain(invitation.Token, listed, StringComparison.Ordinal);

        var member = await (await app.AcceptAsync(invitation.Token, displayName: "Ada L.")).ReadAsync<MemberResponse>(HttpStatusCode.Created);
        Assert.Equal((email.ToLowerInvariant(), "Ada L.", "developer", true), (member.Email, member.DisplayName, member.Role, member.HasPassword));
        Assert.Equal(["tokens:write", "workloads:write", "audit:read", "usage:read"], member.Scopes);

        await (await app.AcceptAsync(invitation.Token)).ProblemAsync(HttpStatusCode.Unauthorized, "invitation_invalid");
        var members = (await (await account.Client.GetAsync("/v1/members")).ReadAsync<ItemsResponse<MemberResponse>>()).Items;
        Assert.Equal([member.Id], members.Select(m => m.Id));
        var accepted = (await (await account.Client.GetAsync("/v1/invitations")).ReadAsync<ItemsResponse<InvitationResponse>>()).Items.Single();
        Assert.Equal(("accepted", member.Id), (accepted.Status, accepted.MemberId));
    }

    [Fact]
    public async Task A_link_works_until_one_second_before_seven_days_and_not_at_seven_days()
    {
        var account = await app.NewAccountAsync();
        var early = await account.InviteAsync(Membership.UniqueEmail(), "viewer");
        var late = await account.InviteAsync(Membership.UniqueEmail(), "viewer");

        app.Time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));
        await (await app.AcceptAsync(early.Token)).ReadAsync<MemberResponse>(HttpStatusCode.Created);
        app.Time.Advance(TimeSpan.FromSeconds(1));
        await (await app.AcceptAsync(late.Token)).ProblemAsync(HttpStatusCode.Unauthorized, "invitation_invalid");

        var listed = (await (await account.Client.GetAsync("/v1/invitations")).ReadAsync<ItemsResponse<InvitationResponse>>()).Items;
        Assert.Equal("expired", listed.Single(i => i.Id == late.Id).Status);
    }

    [Fact]
    public async Task A_tampered_a_revoked_or_a_missing_link_is_refused_and_changes_nothing()
    {
        var account = await app.NewAccountAsync();
        var invitation = await account.InviteAsync(Membership.UniqueEmail(), "viewer");
        var tampered = invitation.Token[..10] + (invitation.Token[10] == 'A' ? 'B' : 'A') + invitation.Token[11..];

        await (await app.AcceptAsync(tampered)).ProblemAsync(HttpStatusCode.Unauthorized, "invitation_invalid");
        await (await app.AcceptAsync(SecretFormat.Generate(SecretKind.Invitation))).ProblemAsync(HttpStatusCode.Unauthorized, "invitation_invalid");
        await (await app.ClientWith(null).PostJsonAsync("/v1/invitations/accept", new { password = Membership.Password }))
            .ProblemAsync(HttpStatusCode.Unauthorized, "invitation_missing");
        // A license key is not an invitation, however valid.
        await (await app.AcceptAsync(account.LicenseKey)).ProblemAsync(HttpStatusCode.Unauthorized, "invitation_invalid");
        // Too short a password is a field error, and the link still works after it.
        await (await app.AcceptAsync(invitation.Token, password: "short")).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        await account.Client.DeleteAsync($"/v1/invitations/{invitation.Id}").EnsureAsync(HttpStatusCode.NoContent);
        await (await app.AcceptAsync(invitation.Token)).ProblemAsync(HttpStatusCode.Unauthorized, "invitation_invalid");
        Assert.Empty((await (await account.Client.GetAsync("/v1/members")).ReadAsync<ItemsResponse<MemberResponse>>()).Items);
        await (await account.Client.DeleteAsync($"/v1/invitations/{invitation.Id}")).ProblemAsync(HttpStatusCode.NotFound, "invitation_not_found");
    }

    [Fact]
    public async Task Refused_links_draw_on_the_address_budget_of_refused_credentials_and_a_good_link_still_works()
    {
        var account = await app.NewAccountAsync();
        var invitation = await account.InviteAsync(Membership.UniqueEmail(), "viewer");
        var address = $"198.51.100.{Random.Shared.Next(1, 250)}";
        var guess = SecretFormat.Generate(SecretKind.Invitation);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 21; i++)
        {
            statuses.Add((await app.AcceptAsync(guess, address: address)).StatusCode);
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 20), HttpStatusCode.TooManyRequests], statuses);
        await (await app.AcceptAsync(invitation.Token, address: address)).ReadAsync<MemberResponse>(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Only_the_hash_of_an_invitation_is_stored()
    {
        var account = await app.NewAccountAsync();
        var invitation = await account.InviteAsync(Membership.UniqueEmail(), "viewer");

        var stored = await app.Services.GetRequiredService<IMemberStore>().FindInvitationAsync(SecretHash.Of(invitation.Token), TestContext.Current.CancellationToken);

        Assert.Equal(invitation.Id, stored?.Id);
        var audit = await (await account.Client.GetAsync($"/v1/audit?objectId={invitation.Id}")).Content.ReadAsStringAsync();
        Assert.Contains("invitation.created", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(invitation.Token[4..], audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_last_owner_can_be_neither_demoted_nor_removed_until_another_owner_joins()
    {
        var account = await app.NewAccountAsync();
        var owner = await app.AddMemberAsync(account, "owner");

        await (await account.Client.PatchJsonAsync($"/v1/members/{owner.Id}", new { role = "admin" })).ProblemAsync(HttpStatusCode.Conflict, "last_owner");
        await (await account.Client.DeleteAsync($"/v1/members/{owner.Id}")).ProblemAsync(HttpStatusCode.Conflict, "last_owner");
        Assert.Equal("owner", (await (await account.Client.GetAsync($"/v1/members/{owner.Id}")).ReadAsync<MemberResponse>()).Role);

        var second = await app.AddMemberAsync(account, "owner");
        var demoted = await (await account.Client.PatchJsonAsync($"/v1/members/{owner.Id}", new { role = "viewer", displayName = "Former owner" }))
            .ReadAsync<MemberResponse>();
        Assert.Equal(("viewer", "Former owner"), (demoted.Role, demoted.DisplayName));
        await (await account.Client.DeleteAsync($"/v1/members/{second.Id}")).ProblemAsync(HttpStatusCode.Conflict, "last_owner");
        await account.Client.DeleteAsync($"/v1/members/{owner.Id}").EnsureAsync(HttpStatusCode.NoContent);
        await (await account.Client.GetAsync($"/v1/members/{owner.Id}")).ProblemAsync(HttpStatusCode.NotFound, "member_not_found");

        var trail = await (await account.Client.GetAsync($"/v1/audit?objectId={owner.Id}")).Content.ReadAsStringAsync();
        Assert.Contains("member.changed", trail, StringComparison.Ordinal);
        Assert.Contains("member.removed", trail, StringComparison.Ordinal);
        Assert.Contains("member.joined", trail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_owners_demoting_each_other_at_once_leave_one_owner()
    {
        for (var round = 0; round < 5; round++)
        {
            var account = await app.NewAccountAsync();
            var a = await app.AddMemberAsync(account, "owner");
            var b = await app.AddMemberAsync(account, "owner");

            var answers = await Task.WhenAll(
                account.Client.PatchJsonAsync($"/v1/members/{a.Id}", new { role = "admin" }),
                account.Client.PatchJsonAsync($"/v1/members/{b.Id}", new { role = "admin" }));

            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], answers.Select(r => r.StatusCode).Order());
            var members = (await (await account.Client.GetAsync("/v1/members")).ReadAsync<ItemsResponse<MemberResponse>>()).Items;
            Assert.Single(members, m => m.Role == "owner");
        }
    }

    [Fact]
    public async Task A_key_grants_no_role_beyond_its_own_scopes_and_sees_no_member_wider_than_itself()
    {
        var account = await app.NewAccountAsync();
        var owner = await app.AddMemberAsync(account, "owner");
        var admin = await app.AddMemberAsync(account, "admin");
        // The scopes of the admin role: keys:manage and everything but the gateway feed.
        var adminKey = (await (await account.Client.PostJsonAsync("/v1/license-keys", new
        {
            name = "admin-like",
            scopes = new[] { "tokens:write", "workloads:write", "audit:read", "usage:read", "webhooks:manage", "keys:manage" },
        })).ReadAsync<CreatedLicenseKeyResponse>(HttpStatusCode.Created)).Key;
        var client = app.ClientWith(adminKey);

        await (await client.PostJsonAsync("/v1/invitations", new { email = Membership.UniqueEmail(), role = "owner" }))
            .ProblemAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        await (await client.PatchJsonAsync($"/v1/members/{admin.Id}", new { role = "owner" })).ProblemAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        await (await client.GetAsync($"/v1/members/{owner.Id}")).ProblemAsync(HttpStatusCode.NotFound, "member_not_found");
        await (await client.DeleteAsync($"/v1/members/{owner.Id}")).ProblemAsync(HttpStatusCode.NotFound, "member_not_found");
        Assert.Equal([admin.Id], (await (await client.GetAsync("/v1/members")).ReadAsync<ItemsResponse<MemberResponse>>()).Items.Select(m => m.Id));

        var developer = await (await client.PatchJsonAsync($"/v1/members/{admin.Id}", new { role = "developer" })).ReadAsync<MemberResponse>();
        Assert.Equal("developer", developer.Role);
        await client.PostJsonAsync("/v1/invitations", new { email = Membership.UniqueEmail(), role = "viewer" }).EnsureAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Members_are_bound_to_workloads_of_their_own_account_only()
    {
        var account = await app.NewAccountAsync();
        var stranger = await app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync($"wl-{Guid.NewGuid():N}");
        var foreign = await stranger.CreateWorkloadAsync($"wl-{Guid.NewGuid():N}");

        var bound = await app.AddMemberAsync(account, "developer", workloadIds: [workload.Id]);
        Assert.Equal([workload.Id], bound.WorkloadIds);
        await (await account.Client.PostJsonAsync("/v1/invitations", new { email = Membership.UniqueEmail(), role = "viewer", workloadIds = new[] { foreign.Id } }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        var unbound = await (await account.Client.PatchJsonAsync($"/v1/members/{bound.Id}", new { workloadIds = (string[]?)null })).ReadAsync<MemberResponse>();
        Assert.Null(unbound.WorkloadIds);
    }

    [Fact]
    public async Task One_address_is_one_member_on_the_server_and_malformed_fields_are_field_errors()
    {
        var account = await app.NewAccountAsync();
        var other = await app.NewAccountAsync();
        var email = Membership.UniqueEmail();
        await app.AddMemberAsync(account, "viewer", email);

        await (await account.Client.PostJsonAsync("/v1/invitations", new { email, role = "viewer" })).ProblemAsync(HttpStatusCode.Conflict, "member_exists");
        var elsewhere = await other.InviteAsync(email, "viewer");
        await (await app.AcceptAsync(elsewhere.Token)).ProblemAsync(HttpStatusCode.Conflict, "member_exists");

        var refused = await (await account.Client.PostJsonAsync("/v1/invitations", new { email = "not an address", role = "emperor" }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Equal(["email", "role"], refused.Errors!.Keys.Order(StringComparer.Ordinal));
        await (await account.Client.PostJsonAsync("/v1/invitations", new { email = Membership.UniqueEmail(), role = "viewer", secret = "x" }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
    }
}
