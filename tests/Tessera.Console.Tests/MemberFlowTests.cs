using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using OtpNet;
using Tessera.Console.Tests.Infrastructure;

namespace Tessera.Console.Tests;

/// <summary>
/// Issue 22 in the browser: an owner invites a person, who joins by the one-time link, signs in with their password and
/// sees only what their role allows (the server refuses a forged POST); the last owner stays; two-step sign-in set up
/// with a code from the real clock (Otp.NET, as an authenticator app computes it) and a recovery code used once.
/// </summary>
public sealed class MemberFlowTests(ConsoleServer server) : IClassFixture<ConsoleServer>
{
    private const string Password = "correct horse battery staple";

    [Fact]
    public async Task An_owner_invites_a_viewer_who_joins_by_the_link_and_sees_only_what_a_viewer_may()
    {
        var (owner, _) = await OwnerAsync();
        var viewerEmail = $"viewer-{Guid.NewGuid():N}@example.com";

        await owner.GotoAsync("/members");
        await owner.GetByLabel("Email", new() { Exact = true }).FillAsync(viewerEmail);
        await owner.GetByLabel("Role", new() { Exact = true }).SelectOptionAsync("viewer");
        await owner.GetByRole(AriaRole.Button, new() { Name = "Create invitation link" }).ClickAsync();
        var link = await owner.Locator("#invitation-link").InputValueAsync();
        Assert.Contains("/invitation#tsi_", link, StringComparison.Ordinal);
        await owner.ScreenshotAsync("members-invited");

        // The invitee opens the link in their own browser; the secret leaves the address bar.
        var viewer = await server.NewPageAsync();
        await viewer.GotoAsync(link);
        await Assertions.Expect(viewer).ToHaveURLAsync(new Regex("/invitation$"));
        await viewer.GetByLabel("Your name").FillAsync("Vera Viewer");
        await viewer.GetByLabel("Password").FillAsync(Password);
        await viewer.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
        await Assertions.Expect(viewer).ToHaveURLAsync(new Regex("/sign-in\\?joined=1$"));
        await PasswordSignInAsync(viewer, viewerEmail);
        await Assertions.Expect(viewer).ToHaveURLAsync(new Regex("/dashboard$"));

        // The link worked once.
        var again = await server.NewPageAsync();
        await again.GotoAsync(link);
        await again.GetByLabel("Password").FillAsync(Password);
        await again.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
        await Assertions.Expect(again.GetByRole(AriaRole.Alert)).ToContainTextAsync("This invitation link is not valid");

        // A viewer sees no create buttons and no Members page.
        await viewer.GotoAsync("/tokens");
        await Assertions.Expect(viewer.Locator("h1")).ToHaveTextAsync("Tokens");
        Assert.Equal(0, await viewer.GetByRole(AriaRole.Link, new() { Name = "Create token" }).CountAsync());
        Assert.Equal(0, await viewer.GetByRole(AriaRole.Link, new() { Name = "Import CSV" }).CountAsync());
        await viewer.GotoAsync("/workloads");
        Assert.Equal(0, await viewer.GetByRole(AriaRole.Button, new() { Name = "Create workload" }).CountAsync());
        Assert.Equal(0, await viewer.Locator("nav").GetByRole(AriaRole.Link, new() { Name = "Members" }).CountAsync());

        // A POST forged with the viewer's own valid antiforgery token is refused by the server, and changes nothing.
        var antiforgery = await viewer.Locator("input[name=__antiforgery]").First.InputValueAsync();
        var forged = await viewer.Context.APIRequest.PostAsync("/workloads", new()
        {
            Form = FormOf(viewer, ("__antiforgery", antiforgery), ("name", "forged-by-viewer")),
            MaxRedirects = 0,
        });
        Assert.Equal(403, forged.Status);
        var invite = await viewer.Context.APIRequest.PostAsync("/members?handler=Invite", new()
        {
            Form = FormOf(viewer, ("__antiforgery", antiforgery), ("email", "intruder@example.com"), ("role", "owner")),
            MaxRedirects = 0,
        });
        Assert.Equal(403, invite.Status);
        await owner.GotoAsync("/workloads");
        Assert.Equal(0, await owner.GetByText("forged-by-viewer").CountAsync());
        await owner.GotoAsync("/members");
        Assert.Equal(0, await owner.GetByText("intruder@example.com").CountAsync());
        Assert.Equal(1, await owner.Locator("tr[data-member-id]", new() { HasText = viewerEmail }).CountAsync());
        await viewer.AssertNoneAsync(allowed: "403");
    }

    [Fact]
    public async Task The_last_owner_cannot_be_demoted_or_removed_and_the_page_says_why()
    {
        var (owner, email) = await OwnerAsync();
        await owner.GotoAsync("/members");
        var row = owner.Locator("tr", new() { HasText = email });

        await row.GetByLabel($"Role of {email}", new() { Exact = true }).SelectOptionAsync("viewer");
        await row.GetByRole(AriaRole.Button, new() { Name = $"Change role of {email}" }).ClickAsync();
        await Assertions.Expect(owner.GetByRole(AriaRole.Alert)).ToContainTextAsync("last owner");

        await owner.GotoAsync("/members");
        await owner.Locator("tr", new() { HasText = email }).GetByRole(AriaRole.Button, new() { Name = $"Remove {email}" }).ClickAsync();
        await Assertions.Expect(owner.GetByRole(AriaRole.Alert)).ToContainTextAsync("last owner");

        // Still the owner: the Members page opens, and the row says owner.
        await owner.GotoAsync("/members");
        await Assertions.Expect(owner.Locator("tr", new() { HasText = email }).GetByLabel($"Role of {email}", new() { Exact = true })).ToHaveValueAsync("owner");
        await owner.ScreenshotAsync("members-last-owner");
        await owner.AssertNoneAsync(allowed: "409");
    }

    [Fact]
    public async Task Two_step_sign_in_with_a_code_from_the_real_clock_and_a_recovery_code_that_works_once()
    {
        var (page, email) = await OwnerAsync();
        await page.GotoAsync("/profile");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set up two-step sign-in" }).ClickAsync();
        await Assertions.Expect(page.Locator("#totp-qr")).ToBeVisibleAsync();
        var totp = new Totp(Base32Encoding.ToBytes(await page.Locator("#totp-secret").InnerTextAsync()));
        await page.GetByLabel("Code from the app").FillAsync(totp.ComputeTotp(DateTime.UtcNow));
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn on two-step sign-in" }).ClickAsync();
        var recovery = await page.Locator("#recovery-codes code").AllInnerTextsAsync();
        Assert.Equal(10, recovery.Count);
        await Assertions.Expect(page.Locator("#two-step-state")).ToContainTextAsync("On:");
        await SignOutAsync(page);

        // The password alone asks for the code; the app's next code (one step of drift is allowed; the current one was
        // spent by the set-up) signs in.
        await PasswordSignInAsync(page, email);
        await page.GetByLabel("Code from your authenticator app").FillAsync(totp.ComputeTotp(DateTime.UtcNow.AddSeconds(30)));
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/dashboard$"));
        await SignOutAsync(page);

        // A recovery code signs in once.
        await PasswordSignInAsync(page, email);
        await page.GetByLabel("Code from your authenticator app").FillAsync(recovery[0]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/dashboard$"));
        await SignOutAsync(page);
        await PasswordSignInAsync(page, email);
        await page.GetByLabel("Code from your authenticator app").FillAsync(recovery[0]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("This code was not accepted.");
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "tessera_console");

        // Another recovery code still works; then new codes replace the old ones, and two-step turns off with the password.
        await page.GetByLabel("Code from your authenticator app").FillAsync(recovery[1]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/dashboard$"));
        await page.GotoAsync("/profile");
        await page.Locator("#confirmPassword").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "New recovery codes" }).ClickAsync();
        var fresh = await page.Locator("#recovery-codes code").AllInnerTextsAsync();
        Assert.Equal(10, fresh.Count);
        Assert.Empty(fresh.Intersect(recovery));
        await page.Locator("#confirmPassword").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn off two-step sign-in" }).ClickAsync();
        await Assertions.Expect(page.Locator("#two-step-state")).ToContainTextAsync("Off:");
        await page.AssertNoneAsync(allowed: "401");
    }

    [Fact]
    public async Task Without_a_provider_configured_the_sign_in_page_offers_no_single_sign_on_and_its_pages_are_404()
    {
        var page = await server.NewPageAsync();
        await page.GotoAsync("/sign-in");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true })).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator("#sso-sign-in").CountAsync());
        Assert.Equal(0, await page.GetByText("SSO").CountAsync());

        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.BaseAddress };
        foreach (var path in new[] { "/sign-in/sso", "/sign-in/sso?handler=Complete", "/sign-in/sso?handler=Failed" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(path)).StatusCode);
        }
        // The provider's callback is no route here either.
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/sign-in/oidc?code=x&state=y")).StatusCode);
    }

    /// <summary>A new account whose first owner joined by invitation and is signed in, with a password, in a fresh browser context.</summary>
    private async Task<(IPage Page, string Email)> OwnerAsync()
    {
        var key = await server.NewAccountAsync("People Labs");
        var email = $"owner-{Guid.NewGuid():N}@example.com";
        using (var api = server.Http(key))
        {
            var invited = await api.PostAsync("/v1/invitations", ApiCalls.Json($$"""{"email":"{{email}}","role":"owner","displayName":"Olive Owner"}"""));
            Assert.Equal(HttpStatusCode.Created, invited.StatusCode);
            var secret = JsonDocument.Parse(await invited.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
            using var invitee = server.Http(secret);
            var accepted = await invitee.PostAsync("/v1/invitations/accept", ApiCalls.Json($$"""{"password":"{{Password}}"}"""));
            Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        }
        var page = await server.NewPageAsync();
        await PasswordSignInAsync(page, email);
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/dashboard$"));
        return (page, email);
    }

    private static async Task PasswordSignInAsync(IPage page, string email)
    {
        if (!page.Url.Contains("/sign-in", StringComparison.Ordinal))
        {
            await page.GotoAsync("/sign-in");
        }
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
    }

    private static async Task SignOutAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.LandsOnAsync(new Regex("/sign-in$"));
    }

    private static IFormData FormOf(IPage page, params (string Name, string Value)[] fields)
    {
        var form = page.Context.APIRequest.CreateFormData();
        foreach (var (name, value) in fields)
        {
            form.Set(name, value);
        }
        return form;
    }
}
