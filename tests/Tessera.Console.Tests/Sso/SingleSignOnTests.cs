using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tessera.Console.Tests.Infrastructure;

namespace Tessera.Console.Tests.Sso;

/// <summary>
/// OpenID Connect single sign-on (issue 22, ADR 0022) against a real provider on loopback: the browser goes through the
/// provider's login page (authorization code + PKCE) and back. New people of the allowed domain join as developers;
/// existing members are matched by their verified address; other domains, unverified addresses and removed members are
/// refused with a page that says why and an audit entry.
/// </summary>
public sealed class SingleSignOnTests(SsoConsoleServer server) : IClassFixture<SsoConsoleServer>
{
    [Fact]
    public async Task A_new_person_of_the_allowed_domain_signs_in_through_the_provider_and_joins_with_the_configured_role()
    {
        var person = server.Provider.AddPerson($"ada-{Guid.NewGuid():N}@{SsoConsoleServer.Domain}", name: "Ada Lovelace");

        var page = await server.SignInWithSsoAsync(person);

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/dashboard$"));
        var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "tessera_console");
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        // The provider's answer was used once: its cookie is gone.
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "tessera_sso");
        // A developer: the Members page (keys:manage) is not theirs.
        Assert.Equal(403, (await page.GotoAsync("/members"))!.Status);

        var member = await MemberAsync(person.Email);
        Assert.Equal("developer", member.GetProperty("role").GetString());
        Assert.Equal("Ada Lovelace", member.GetProperty("displayName").GetString());
        var memberId = member.GetProperty("id").GetString()!;
        var joined = await AuditAsync($"objectId={memberId}&action=member.joined");
        Assert.Contains("\"sso\"", joined, StringComparison.Ordinal);
        var signedIn = await AuditAsync($"objectId={memberId}&action=console.signed_in");
        Assert.Contains(person.Email, signedIn, StringComparison.Ordinal);

        // Signing in again finds the same member (no second one).
        var again = await server.SignInWithSsoAsync(person);
        await Assertions.Expect(again).ToHaveURLAsync(new Regex("/dashboard$"));
        Assert.Single(await MembersAsync(), m => m.GetProperty("email").GetString() == person.Email);
        await page.AssertNoneAsync(allowed: "403");
    }

    [Fact]
    public async Task An_address_of_another_domain_is_refused_with_a_page_that_says_why_and_an_audit_entry()
    {
        var person = server.Provider.AddPerson($"mallory-{Guid.NewGuid():N}@elsewhere.test");
        // A look-alike of the allowed domain is another domain too.
        var lookAlike = server.Provider.AddPerson($"eve-{Guid.NewGuid():N}@not{SsoConsoleServer.Domain}");

        foreach (var stranger in new[] { person, lookAlike })
        {
            var page = await server.SignInWithSsoAsync(stranger);
            await AssertRefusedAsync(page, "sso_domain_not_allowed", $"Single sign-on is for addresses at {SsoConsoleServer.Domain}.");
            Assert.DoesNotContain(await MembersAsync(), m => m.GetProperty("email").GetString() == stranger.Email);
        }
        Assert.Contains("sso_domain_not_allowed", await AuditAsync("action=console.sign_in_failed"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_address_the_provider_has_not_verified_is_refused()
    {
        var person = server.Provider.AddPerson($"unverified-{Guid.NewGuid():N}@{SsoConsoleServer.Domain}", emailVerified: false);

        var page = await server.SignInWithSsoAsync(person);

        await AssertRefusedAsync(page, "sso_email_unverified", $"{SsoConsoleServer.ProviderName} has not verified your email address.");
        Assert.DoesNotContain(await MembersAsync(), m => m.GetProperty("email").GetString() == person.Email);
        Assert.Contains("sso_email_unverified", await AuditAsync("action=console.sign_in_failed"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_existing_member_is_matched_by_their_verified_address_and_keeps_their_role()
    {
        var email = $"grace-{Guid.NewGuid():N}@{SsoConsoleServer.Domain}";
        var memberId = await JoinByInvitationAsync(email, "admin");
        var person = server.Provider.AddPerson(email.ToUpperInvariant());

        var page = await server.SignInWithSsoAsync(person);

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/dashboard$"));
        // An admin sees the Members page, as the invited member they are.
        await page.GotoAsync("/members");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Members");
        var member = Assert.Single(await MembersAsync(), m => m.GetProperty("email").GetString() == email);
        Assert.Equal(memberId, member.GetProperty("id").GetString());
        Assert.Equal("admin", member.GetProperty("role").GetString());

        // The address is bound to that provider identity now: another subject with the same address is refused.
        var impostor = server.Provider.AddPerson(email);
        var refused = await server.SignInWithSsoAsync(impostor);
        await AssertRefusedAsync(refused, "sso_subject_mismatch", "This address is linked to another");
        Assert.Contains("sso_subject_mismatch", await AuditAsync($"objectId={memberId}&action=console.sign_in_failed"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_removed_member_is_refused_and_not_brought_back()
    {
        var person = server.Provider.AddPerson($"removed-{Guid.NewGuid():N}@{SsoConsoleServer.Domain}");
        var first = await server.SignInWithSsoAsync(person);
        await Assertions.Expect(first).ToHaveURLAsync(new Regex("/dashboard$"));
        var memberId = (await MemberAsync(person.Email)).GetProperty("id").GetString()!;

        using var api = server.Http(server.BootstrapKey);
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/v1/members/{memberId}")).StatusCode);

        // The open session ends at its next request.
        await first.GotoAsync("/tokens");
        Assert.Contains("/sign-in", first.Url, StringComparison.Ordinal);
        // And the provider cannot bring them back as a new member.
        var page = await server.SignInWithSsoAsync(person);
        await AssertRefusedAsync(page, "sso_member_removed", "You were removed from this account.");
        Assert.DoesNotContain(await MembersAsync(), m => m.GetProperty("email").GetString() == person.Email);
        Assert.Contains("sso_member_removed", await AuditAsync("action=console.sign_in_failed"), StringComparison.Ordinal);

        // Invited again by an owner, they are a member again, and single sign-on matches them.
        await JoinByInvitationAsync(person.Email, "viewer");
        var back = await server.SignInWithSsoAsync(person);
        await Assertions.Expect(back).ToHaveURLAsync(new Regex("/dashboard$"));
    }

    [Fact]
    public async Task A_forged_or_replayed_callback_is_refused_with_a_page_not_an_error()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.BaseAddress };
        var forged = await http.GetAsync("/sign-in/oidc?code=forged&state=forged");
        Assert.Equal(HttpStatusCode.Redirect, forged.StatusCode);
        Assert.Equal("/sign-in/sso?handler=Failed", forged.Headers.Location!.OriginalString);
        var refused = await http.GetAsync(forged.Headers.Location);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("data-reason=\"sso_failed\"", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A real callback replayed after it was used: its state's correlation cookie is spent.
        var person = server.Provider.AddPerson($"replay-{Guid.NewGuid():N}@{SsoConsoleServer.Domain}");
        var page = await server.NewPageAsync();
        string? callback = null;
        page.Request += (_, request) =>
        {
            if (request.Url.Contains("/sign-in/oidc?", StringComparison.Ordinal))
            {
                callback = request.Url;
            }
        };
        await server.SignInWithSsoAsync(person, page);
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/dashboard$"));
        Assert.NotNull(callback);
        await page.GotoAsync(callback);
        await Assertions.Expect(page.Locator("#sso-error")).ToHaveAttributeAsync("data-reason", "sso_failed");
    }

    [Fact]
    public async Task An_owner_who_signs_in_through_the_provider_closes_the_console_to_license_keys()
    {
        // Open to the key before: no owner of the account signs in as a person yet (the other tests make no owner).
        var person = server.Provider.AddPerson($"owner-{Guid.NewGuid():N}@{SsoConsoleServer.Domain}");
        var keyPage = await server.NewPageAsync();
        await keyPage.SignInAsync(server.BootstrapKey);
        await keyPage.Context.ClearCookiesAsync();

        var first = await server.SignInWithSsoAsync(person);
        await Assertions.Expect(first).ToHaveURLAsync(new Regex("/dashboard$"));
        var memberId = (await MemberAsync(person.Email)).GetProperty("id").GetString()!;
        using var api = server.Http(server.BootstrapKey);
        Assert.Equal(HttpStatusCode.OK, (await api.PatchAsync($"/v1/members/{memberId}",
            ApiCalls.Json("""{"role":"owner"}""", "application/merge-patch+json"))).StatusCode);

        // An owner with no password, who signs in through the provider: the key form is closed now.
        await keyPage.GotoAsync("/sign-in");
        await keyPage.GetByLabel("License key").FillAsync(server.BootstrapKey);
        await keyPage.GetByRole(AriaRole.Button, new() { Name = "Sign in with key" }).ClickAsync();
        await Assertions.Expect(keyPage.GetByRole(AriaRole.Alert)).ToContainTextAsync("license keys are for automation");
        // The owner signs in through the provider and sees the Members page.
        var owner = await server.SignInWithSsoAsync(person);
        await Assertions.Expect(owner).ToHaveURLAsync(new Regex("/dashboard$"));
        await owner.GotoAsync("/members");
        await Assertions.Expect(owner.Locator("h1")).ToHaveTextAsync("Members");
    }

    private static async Task AssertRefusedAsync(IPage page, string reason, string message)
    {
        var alert = page.Locator("#sso-error");
        await Assertions.Expect(alert).ToHaveAttributeAsync("data-reason", reason);
        await Assertions.Expect(alert).ToContainTextAsync(message);
        Assert.Contains("/sign-in/sso", page.Url, StringComparison.Ordinal);
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "tessera_console");
        await page.AssertNoneAsync(allowed: "403");
    }

    private async Task<string> JoinByInvitationAsync(string email, string role)
    {
        using var api = server.Http(server.BootstrapKey);
        var invited = await api.PostAsync("/v1/invitations", ApiCalls.Json($$"""{"email":"{{email}}","role":"{{role}}"}"""));
        Assert.Equal(HttpStatusCode.Created, invited.StatusCode);
        var secret = JsonDocument.Parse(await invited.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
        using var invitee = server.Http(secret);
        var accepted = await invitee.PostAsync("/v1/invitations/accept", ApiCalls.Json("""{"password":"a long enough password"}"""));
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        return JsonDocument.Parse(await accepted.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
    }

    private async Task<List<JsonElement>> MembersAsync()
    {
        using var api = server.Http(server.BootstrapKey);
        var body = JsonDocument.Parse(await api.GetStringAsync("/v1/members")).RootElement;
        return [.. (body.ValueKind == JsonValueKind.Array ? body : body.GetProperty("items")).EnumerateArray()];
    }

    private async Task<JsonElement> MemberAsync(string email) =>
        Assert.Single(await MembersAsync(), m => m.GetProperty("email").GetString() == email.ToLowerInvariant());

    private async Task<string> AuditAsync(string query)
    {
        using var api = server.Http(server.BootstrapKey);
        return await api.GetStringAsync($"/v1/audit?{query}");
    }
}
