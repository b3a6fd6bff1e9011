using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Tessera.Contracts;

namespace Tessera.Cli.Tests;

/// <summary>
/// Issue 22: <c>tessera members list|invite|set-role|remove</c> and <c>tessera invitations list|revoke</c>, in-process,
/// against a real server process: the link printed once, roles changed, the last owner kept, removal confirmed.
/// </summary>
public sealed class MembersCliTests(ProcessServer server) : IClassFixture<ProcessServer>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private Task<(int Exit, string Out, string Error)> RunAsync(params string[] args) => CliRun.AgainstAsync(server.Url, server.LicenseKey, args);

    [Fact]
    public async Task A_person_is_invited_joins_changes_role_and_is_removed_and_the_last_owner_stays()
    {
        var email = $"ada-{Guid.NewGuid():N}@example.com";

        var invited = await RunAsync("members", "invite", email, "--role", "owner", "--name", "Ada");
        Assert.True(invited.Exit == 0, invited.Error);
        var link = invited.Out.Trim().Split('\n')[^1].Trim();
        Assert.Contains("/invitation#tsi_", link, StringComparison.Ordinal);
        var invitationRow = invited.Out.Split('\n').Single(l => l.StartsWith("inv_", StringComparison.Ordinal));
        Assert.Contains(email, invitationRow, StringComparison.Ordinal);

        // Listed as pending, never with its link.
        var pending = await RunAsync("invitations", "list");
        Assert.True(pending.Exit == 0, pending.Error);
        Assert.Contains(email, pending.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("tsi_", pending.Out, StringComparison.Ordinal);

        // The invitee joins with the link's secret.
        var member = await AcceptAsync(link[(link.IndexOf('#', StringComparison.Ordinal) + 1)..]);

        var list = await RunAsync("members", "list", "--json");
        Assert.True(list.Exit == 0, list.Error);
        var listed = Assert.Single(JsonSerializer.Deserialize<List<MemberResponse>>(list.Out, Json)!, m => m.Id == member.Id);
        Assert.Equal(("owner", "Ada", true), (listed.Role, listed.DisplayName, listed.HasPassword));
        var table = await RunAsync("members", "list", "--format", "tsv");
        Assert.Contains($"{member.Id}\t{email}\tAda\towner", table.Out, StringComparison.Ordinal);

        // The only owner cannot be demoted or removed: refused (exit 3), the server's reason shown.
        var demoted = await RunAsync("members", "set-role", email, "viewer");
        Assert.Equal(ExitCodes.Refused, demoted.Exit);
        Assert.Contains("last owner", demoted.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Refused, (await RunAsync("members", "remove", member.Id, "--yes")).Exit);

        // With a second owner, the first becomes a viewer.
        var second = await AcceptAsync(await InviteAsync($"grace-{Guid.NewGuid():N}@example.com", "owner"));
        var changed = await RunAsync("members", "set-role", email.ToUpperInvariant(), "viewer", "--json");
        Assert.True(changed.Exit == 0, changed.Error);
        Assert.Equal("viewer", JsonSerializer.Deserialize<List<MemberResponse>>(changed.Out, Json)!.Single().Role);
        Assert.Equal(ExitCodes.Usage, (await RunAsync("members", "set-role", email, "emperor")).Exit);

        // Removing asks first: without a terminal and without --yes, nothing changes.
        var unconfirmed = await RunAsync("members", "remove", email);
        Assert.Equal(ExitCodes.Usage, unconfirmed.Exit);
        Assert.Contains("--yes", unconfirmed.Error, StringComparison.Ordinal);
        Assert.Contains(member.Id, (await RunAsync("members", "list")).Out, StringComparison.Ordinal);
        var removed = await RunAsync("members", "remove", email, "--yes");
        Assert.True(removed.Exit == 0, removed.Error);
        Assert.DoesNotContain(member.Id, (await RunAsync("members", "list")).Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NotFound, (await RunAsync("members", "remove", member.Id, "--yes")).Exit);
        Assert.Equal(ExitCodes.NotFound, (await RunAsync("members", "set-role", "nobody@example.com", "viewer")).Exit);
        Assert.Contains(second.Id, (await RunAsync("members", "list")).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invitation_is_revoked_after_confirmation_and_its_link_stops_working()
    {
        var invited = await RunAsync("members", "invite", $"lin-{Guid.NewGuid():N}@example.com", "--role", "viewer", "--json");
        Assert.True(invited.Exit == 0, invited.Error);
        var invitation = JsonSerializer.Deserialize<CreatedInvitationResponse>(invited.Out, Json)!;
        var quiet = await RunAsync("members", "invite", $"quiet-{Guid.NewGuid():N}@example.com", "--role", "viewer", "--quiet");
        Assert.StartsWith("http", quiet.Out.Trim(), StringComparison.Ordinal);
        Assert.Single(quiet.Out.Trim().Split('\n'));

        Assert.Equal(ExitCodes.Usage, (await RunAsync("invitations", "revoke", invitation.Id)).Exit);
        var revoked = await RunAsync("invitations", "revoke", invitation.Id, "--yes");
        Assert.True(revoked.Exit == 0, revoked.Error);

        using var invitee = new HttpClient { BaseAddress = server.Url };
        invitee.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", invitation.Token);
        var accepted = await invitee.PostAsync("/v1/invitations/accept", new StringContent("""{"password":"a long enough password"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, accepted.StatusCode);
        Assert.Equal(ExitCodes.NotFound, (await RunAsync("invitations", "revoke", invitation.Id, "--yes")).Exit);
        Assert.Equal(ExitCodes.Usage, (await RunAsync("members", "invite", "not-an-address", "--role", "viewer")).Exit);
    }

    private async Task<string> InviteAsync(string email, string role)
    {
        var invited = await RunAsync("members", "invite", email, "--role", role, "--quiet");
        Assert.True(invited.Exit == 0, invited.Error);
        var link = invited.Out.Trim();
        return link[(link.IndexOf('#', StringComparison.Ordinal) + 1)..];
    }

    private async Task<MemberResponse> AcceptAsync(string secret)
    {
        using var invitee = new HttpClient { BaseAddress = server.Url };
        invitee.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        var accepted = await invitee.PostAsync("/v1/invitations/accept", new StringContent("""{"password":"a long enough password"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        return JsonSerializer.Deserialize<MemberResponse>(await accepted.Content.ReadAsStringAsync(), Json)!;
    }
}
