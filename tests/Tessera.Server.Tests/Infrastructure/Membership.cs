using System.Net;
using Tessera.Contracts;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>Invitations and members through the real API (issue 22): how a test gets a person into an account.</summary>
public static class Membership
{
    public const string Password = "correct horse battery staple";

    public static async Task<CreatedInvitationResponse> InviteAsync(this TestAccount account, string email, string role, string[]? workloadIds = null) =>
        await (await account.Client.PostJsonAsync("/v1/invitations", workloadIds is null
                ? new { email, role }
                : (object)new { email, role, workloadIds }))
            .ReadAsync<CreatedInvitationResponse>(HttpStatusCode.Created);

    /// <summary>
    /// Uses an invitation. Each call comes from its own client address (<paramref name="address"/>, else a fresh one) on a
    /// server that reads <see cref="ClientAddressHeader"/>, so tests of refusals do not spend one another's failure budget.
    /// </summary>
    public static Task<HttpResponseMessage> AcceptAsync(this TesseraApp app, string secret, string password = Password, string? displayName = null,
        string? address = null)
    {
        var client = app.ClientWith(secret);
        client.DefaultRequestHeaders.Add(ClientAddressHeader.Name, address ?? $"10.{Random.Shared.Next(256)}.{Random.Shared.Next(256)}.{Random.Shared.Next(1, 255)}");
        return client.PostJsonAsync("/v1/invitations/accept", displayName is null ? new { password } : (object)new { password, displayName });
    }

    /// <summary>Invites and accepts: a member of <paramref name="account"/> with <paramref name="role"/> and <see cref="Password"/>.</summary>
    public static async Task<MemberResponse> AddMemberAsync(this TesseraApp app, TestAccount account, string role, string? email = null,
        string[]? workloadIds = null)
    {
        var invitation = await account.InviteAsync(email ?? UniqueEmail(role), role, workloadIds);
        return await (await app.AcceptAsync(invitation.Token)).ReadAsync<MemberResponse>(HttpStatusCode.Created);
    }

    public static string UniqueEmail(string who = "person") => $"{who}.{Guid.NewGuid():N}@example.com";
}
