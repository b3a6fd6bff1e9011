using System.Net;
using Tessera.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Members;

/// <summary>
/// Issue 22 in the console, over HTTP on each database: people sign in with email and password (limited per address and
/// per person), a session carries the member's role and nothing more (the role × page matrix), a role change or removal
/// ends it, license keys stop opening the console once an owner has a password, and the trail names the person.
/// </summary>
public abstract class MemberConsoleTests(TesseraApp app)
{
    public sealed class OnSqlite(AddressedApps.Sqlite fixture) : MemberConsoleTests(fixture.App), IClassFixture<AddressedApps.Sqlite>;

    public sealed class OnPostgres(AddressedApps.Postgres fixture) : MemberConsoleTests(fixture.App.Require()), IClassFixture<AddressedApps.Postgres>;

    /// <summary>What each role may open (ADR 0018): the product's table, written out, not derived from the code under test.</summary>
    public static TheoryData<string, string[], string[]> RolePages => new()
    {
        { "owner", ["/workloads", "/tokens", "/tokens/new", "/tokens/import", "/keys", "/audit", "/members", "/webhooks", "/profile"], [] },
        { "admin", ["/workloads", "/tokens", "/tokens/new", "/tokens/import", "/keys", "/audit", "/members", "/webhooks", "/profile"], [] },
        { "developer", ["/workloads", "/tokens", "/tokens/new", "/tokens/import", "/audit", "/profile"], ["/keys", "/members", "/webhooks"] },
        { "viewer", ["/workloads", "/tokens", "/profile"], ["/tokens/new", "/tokens/import", "/keys", "/audit", "/members", "/webhooks"] },
    };

    [Theory]
    [MemberData(nameof(RolePages))]
    public async Task A_member_opens_exactly_the_pages_of_their_role_and_a_form_posted_by_hand_beyond_it_changes_nothing(string role, string[] allowed, string[] refused)
    {
        var account = await app.NewAccountAsync();
        var member = await app.AddMemberAsync(account, role);
        var browser = await SignedInAsync(member.Email);

        foreach (var page in allowed)
        {
            var answer = await browser.GetAsync(page);
            Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{role} GET {page}: {(int)answer.StatusCode}");
        }
        foreach (var page in refused)
        {
            var answer = await browser.GetAsync(page);
            Assert.True(answer.StatusCode == HttpStatusCode.Forbidden, $"{role} GET {page}: {(int)answer.StatusCode}");
        }
        var nav = await (await browser.GetAsync("/profile")).Content.ReadAsStringAsync();
        Assert.Equal(allowed.Contains("/members"), nav.Contains("href=\"/members\"", StringComparison.Ordinal));
        Assert.Equal(allowed.Contains("/keys"), nav.Contains("href=\"/keys\"", StringComparison.Ordinal));
        Assert.Equal(allowed.Contains("/webhooks"), nav.Contains("href=\"/webhooks\"", StringComparison.Ordinal));

        // Creating a workload needs workloads:write, which only viewers lack.
        var name = $"wl-{Guid.NewGuid():N}";
        var created = await browser.PostFormAsync("/workloads", "/workloads", new Dictionary<string, string> { ["name"] = name });
        var workloads = await (await account.Client.GetAsync("/v1/workloads")).Content.ReadAsStringAsync();
        Assert.Equal(role != "viewer", workloads.Contains(name, StringComparison.Ordinal));
        if (role == "viewer")
        {
            Assert.Equal(HttpStatusCode.Forbidden, created.StatusCode);
        }
    }

    [Fact]
    public async Task A_wrong_password_and_an_unknown_address_are_refused_alike_and_the_right_one_opens_a_session_named_for_the_person()
    {
        var account = await app.NewAccountAsync();
        var member = await app.AddMemberAsync(account, "developer");

        var wrong = await TrySignInAsync(new ConsoleBrowser(app), member.Email, "not the password at all");
        var unknown = await TrySignInAsync(new ConsoleBrowser(app), Membership.UniqueEmail(), Membership.Password);
        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (wrong.StatusCode, unknown.StatusCode));
        Assert.Contains("This email and password were not accepted.", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("This email and password were not accepted.", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var browser = await SignedInAsync(member.Email.ToUpperInvariant());
        var name = $"wl-{Guid.NewGuid():N}";
        await browser.PostFormAsync("/workloads", "/workloads", new Dictionary<string, string> { ["name"] = name });

        var trail = (await (await account.Client.GetAsync("/v1/audit")).ReadAsync<PageResponse<AuditEntryResponse>>()).Items;
        var signedIn = trail.First(e => e.Action == "console.signed_in");
        Assert.Equal(("member", member.Id, member.Email), (signedIn.ActorType, signedIn.ActorId, signedIn.ActorEmail));
        Assert.StartsWith("ses_", signedIn.SessionId, StringComparison.Ordinal);
        var createdEntry = trail.First(e => e.Action == "workload.created");
        Assert.Equal(("member", member.Id, member.Email, signedIn.SessionId), (createdEntry.ActorType, createdEntry.ActorId, createdEntry.ActorEmail, createdEntry.SessionId));
        Assert.Contains(trail, e => e.Action == "console.sign_in_failed" && e.ActorId == member.Id);
        var listed = await (await account.Client.GetAsync($"/v1/members/{member.Id}")).ReadAsync<MemberResponse>();
        Assert.Equal(app.Time.GetUtcNow(), listed.LastSignInAt);
    }

    [Fact]
    public async Task Ten_wrong_passwords_from_ten_addresses_lock_the_person_even_against_the_right_password()
    {
        var account = await app.NewAccountAsync();
        var member = await app.AddMemberAsync(account, "viewer");
        var bystander = await app.AddMemberAsync(account, "viewer");

        for (var i = 0; i < 10; i++)
        {
            var answer = await TrySignInAsync(Browser($"192.0.2.{i + 1}"), member.Email, $"wrong password {i}");
            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        }

        var locked = await TrySignInAsync(Browser("192.0.2.200"), member.Email, Membership.Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.NotNull(locked.Headers.RetryAfter);
        // Another person of the same account, from the same address, is not locked with them.
        Assert.Equal(HttpStatusCode.Redirect, (await TrySignInAsync(Browser("192.0.2.200"), bystander.Email, Membership.Password)).StatusCode);
    }

    [Fact]
    public async Task A_role_change_or_a_removal_ends_the_member_s_session_at_the_next_request()
    {
        var account = await app.NewAccountAsync();
        var developer = await app.AddMemberAsync(account, "developer");
        var viewer = await app.AddMemberAsync(account, "viewer");
        var developerBrowser = await SignedInAsync(developer.Email);
        var viewerBrowser = await SignedInAsync(viewer.Email);
        Assert.Equal("/audit", await developerBrowser.LandsOnAsync("/audit"));
        Assert.Equal("/tokens", await viewerBrowser.LandsOnAsync("/tokens"));

        await account.Client.PatchJsonAsync($"/v1/members/{developer.Id}", new { role = "viewer" }).EnsureAsync(HttpStatusCode.OK);
        await account.Client.DeleteAsync($"/v1/members/{viewer.Id}").EnsureAsync(HttpStatusCode.NoContent);

        Assert.StartsWith("/sign-in", await developerBrowser.LandsOnAsync("/tokens"), StringComparison.Ordinal);
        Assert.StartsWith("/sign-in", await viewerBrowser.LandsOnAsync("/tokens"), StringComparison.Ordinal);
        // Signed in again, the developer now holds the viewer's role.
        var again = await SignedInAsync(developer.Email);
        Assert.Equal(HttpStatusCode.Forbidden, (await again.GetAsync("/audit")).StatusCode);
    }

    [Fact]
    public async Task License_keys_open_the_console_until_an_owner_has_a_password()
    {
        var account = await app.NewAccountAsync();
        await new ConsoleBrowser(app).SignInAsync(account.LicenseKey);
        await app.AddMemberAsync(account, "admin");
        await new ConsoleBrowser(app).SignInAsync(account.LicenseKey);

        await app.AddMemberAsync(account, "owner");

        var closed = await new ConsoleBrowser(app).TrySignInAsync(account.LicenseKey);
        Assert.Equal(HttpStatusCode.Forbidden, closed.StatusCode);
        Assert.Contains("license keys are for automation", await closed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // The key still works where it is meant to: the API.
        await account.Client.GetAsync("/v1/account").EnsureAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_member_changes_their_password_with_the_current_one_and_only_the_new_one_signs_in_after()
    {
        var account = await app.NewAccountAsync();
        var member = await app.AddMemberAsync(account, "viewer");
        var browser = await SignedInAsync(member.Email);
        const string next = "a much longer new passphrase";

        var refused = await browser.PostFormAsync("/profile", "/profile?handler=Password",
            new Dictionary<string, string> { ["currentPassword"] = "not it at all", ["newPassword"] = next });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var tooShort = await browser.PostFormAsync("/profile", "/profile?handler=Password",
            new Dictionary<string, string> { ["currentPassword"] = Membership.Password, ["newPassword"] = "short" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooShort.StatusCode);
        var changed = await browser.PostFormAsync("/profile", "/profile?handler=Password",
            new Dictionary<string, string> { ["currentPassword"] = Membership.Password, ["newPassword"] = next });
        Assert.Equal("/profile?done=password", changed.Headers.Location?.OriginalString);

        Assert.Equal(HttpStatusCode.Unauthorized, (await TrySignInAsync(Browser(), member.Email, Membership.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await TrySignInAsync(Browser(), member.Email, next)).StatusCode);
        var trail = await (await account.Client.GetAsync($"/v1/audit?objectId={member.Id}&action=member.password_changed")).JsonObjectAsync();
        Assert.Single(trail["items"]!.AsArray());
        Assert.DoesNotContain(next, trail.ToJsonString(), StringComparison.Ordinal);
    }

    private ConsoleBrowser Browser(string? address = null) =>
        new(app) { Headers = { [ClientAddressHeader.Name] = address ?? $"10.9.{Random.Shared.Next(256)}.{Random.Shared.Next(1, 255)}" } };

    private static Task<HttpResponseMessage> TrySignInAsync(ConsoleBrowser browser, string email, string password) =>
        browser.PostFormAsync("/sign-in", "/sign-in?handler=Password", new Dictionary<string, string> { ["email"] = email, ["password"] = password });

    private async Task<ConsoleBrowser> SignedInAsync(string email)
    {
        var browser = Browser();
        var answer = await TrySignInAsync(browser, email, Membership.Password);
        Assert.True(answer.StatusCode == HttpStatusCode.Redirect, $"sign-in of {email}: {(int)answer.StatusCode}");
        Assert.Equal("/", answer.Headers.Location?.OriginalString); // the home: '/' sends the key on to the Dashboard
        return browser;
    }
}
