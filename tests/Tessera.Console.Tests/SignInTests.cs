using System.Net;
using System.Text.RegularExpressions;
using Tessera.Console.Tests.Infrastructure;
using Tessera.Core.Secrets;

namespace Tessera.Console.Tests;

/// <summary>Sign in and out, refusals, antiforgery, security headers and sessions that survive a restart.</summary>
public sealed class SignInTests(ConsoleServer server) : IClassFixture<ConsoleServer>
{
    [Fact]
    public async Task A_signed_out_visitor_lands_on_sign_in_signs_in_and_signs_out()
    {
        var key = await server.NewAccountAsync("Sign-in Labs");
        var page = await server.NewPageAsync();

        await page.GotoAsync("/");
        Assert.EndsWith("/sign-in?ReturnUrl=%2F", page.Url, StringComparison.Ordinal);
        await page.ScreenshotAsync("sign-in");

        await page.SignInAsync(key);
        Assert.Equal("Sign-in Labs", await page.Locator(".account-name").InnerTextAsync());
        var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "tessera_console");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.DoesNotContain(key, cookie.Value, StringComparison.Ordinal);

        // The session carries over to every page, but it is no credential for the API.
        await page.GotoAsync("/tokens");
        Assert.Equal("Tokens", await page.Locator("h1").InnerTextAsync());
        var api = await page.Context.APIRequest.GetAsync("/v1/tokens");
        Assert.Equal(401, api.Status);

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.LandsOnAsync(new Regex("/sign-in$"));
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "tessera_console");
        await page.GotoAsync("/workloads");
        Assert.Contains("/sign-in", page.Url, StringComparison.Ordinal);
        await page.AssertNoneAsync();
    }

    [Fact]
    public async Task A_session_cookie_saved_before_sign_out_does_not_open_the_console_afterwards()
    {
        var (page, _) = await server.SignedInAsync();
        await page.GotoAsync("/tokens");
        Assert.EndsWith("/tokens", page.Url, StringComparison.Ordinal);
        var saved = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "tessera_console");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.LandsOnAsync(new Regex("/sign-in$"));

        // Put the saved copy back, as someone who had copied it would.
        await page.Context.AddCookiesAsync([new Microsoft.Playwright.Cookie
        {
            Name = saved.Name, Value = saved.Value, Domain = saved.Domain, Path = saved.Path,
            HttpOnly = saved.HttpOnly, Secure = saved.Secure, SameSite = saved.SameSite,
        }]);
        await page.GotoAsync("/tokens");
        Assert.Contains("/sign-in", page.Url, StringComparison.Ordinal);
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "tessera_console");
        await page.AssertNoneAsync();
    }

    [Fact]
    public async Task Sign_in_works_from_the_keyboard_and_returns_to_the_page_asked_for()
    {
        var key = await server.NewAccountAsync();
        var page = await server.NewPageAsync();
        await page.GotoAsync("/tokens?state=usable");
        Assert.Contains("/sign-in?ReturnUrl=", page.Url, StringComparison.Ordinal);
        await page.AssertLabelledAsync();

        // The key field has focus on arrival; typing and Enter sign in.
        await page.Keyboard.TypeAsync(key);
        await page.Keyboard.PressAsync("Enter");
        await page.LandsOnAsync(new Regex(@"/tokens\?state=usable$"));

        // From the top of the page, Tab reaches the skip link first, then the navigation.
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("document.activeElement.textContent.trim()"));
        await page.Keyboard.PressAsync("Tab"); // the brand
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Dashboard", await page.EvaluateAsync<string>("document.activeElement.textContent.trim()"));
        await page.Keyboard.PressAsync("Tab"); // Workloads
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Tokens", await page.EvaluateAsync<string>("document.activeElement.textContent.trim()"));
        await page.Keyboard.PressAsync("Enter");
        await page.LandsOnAsync(new Regex("/tokens$"));
        await page.AssertNoneAsync();
    }

    [Fact]
    public async Task A_wrong_license_key_is_refused_with_one_message_that_says_nothing_about_why()
    {
        var page = await server.NewPageAsync();
        var revoked = await RevokedKeyAsync();
        string[] wrong = [SecretFormat.Generate(SecretKind.LicenseKey), "tsl_not-a-key", SecretFormat.Generate(SecretKind.QueryToken), revoked];
        foreach (var attempt in wrong)
        {
            await page.GotoAsync("/sign-in");
            await page.GetByLabel("License key").FillAsync(attempt);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with key" }).ClickAsync();
            Assert.Equal("This license key was not accepted.", await page.GetByRole(AriaRole.Alert).InnerTextAsync());
            Assert.Contains("/sign-in", page.Url, StringComparison.Ordinal);
            Assert.DoesNotContain(attempt, await page.ContentAsync(), StringComparison.Ordinal);
        }
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "tessera_console");
        await page.ScreenshotAsync("sign-in-refused");
    }

    [Fact]
    public async Task Revoking_the_license_key_ends_its_console_session()
    {
        var firstKey = await server.NewAccountAsync();
        using var api = server.Http(firstKey);
        var created = await api.PostAsync("/v1/license-keys", ApiCalls.Json("""{"name":"console"}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        var (secondKey, secondId) = (body.GetProperty("key").GetString()!, body.GetProperty("id").GetString()!);

        var page = await server.NewPageAsync();
        await page.SignInAsync(secondKey);
        await page.GotoAsync("/tokens");
        Assert.EndsWith("/tokens", page.Url, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/v1/license-keys/{secondId}")).StatusCode);
        await page.GotoAsync("/tokens");
        Assert.Contains("/sign-in", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_form_posted_without_the_antiforgery_token_is_rejected_and_changes_nothing()
    {
        var (page, _) = await server.SignedInAsync();
        var name = "forged-" + Guid.NewGuid().ToString("N")[..8];

        // The session cookie is sent (same browser context), but the form lacks the antiforgery field.
        var forged = await page.Context.APIRequest.PostAsync("/workloads", new APIRequestContextOptions
        {
            Form = page.Context.APIRequest.CreateFormData().Set("name", name),
        });
        Assert.Equal(400, forged.Status);
        Assert.Contains("This form has expired", await forged.TextAsync(), StringComparison.Ordinal);

        // The same form with a token from another session is rejected as well.
        var (other, _) = await server.SignedInAsync();
        await other.GotoAsync("/workloads");
        var foreignToken = await other.Locator("input[name=__antiforgery]").First.InputValueAsync();
        var crossed = await page.Context.APIRequest.PostAsync("/workloads", new APIRequestContextOptions
        {
            Form = page.Context.APIRequest.CreateFormData().Set("name", name).Set("__antiforgery", foreignToken),
        });
        Assert.Equal(400, crossed.Status);

        await page.GotoAsync("/workloads");
        Assert.Equal(0, await page.GetByText(name).CountAsync());
        Assert.Contains("No workloads yet", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Console_pages_and_assets_carry_the_security_headers()
    {
        var (page, _) = await server.SignedInAsync();
        foreach (var path in new[] { "/sign-in", "/workloads", "/tokens", "/tokens/new", "/console/console.js", "/console/console.css" })
        {
            var response = await page.GotoAsync(path);
            var headers = await response!.AllHeadersAsync();
            Assert.Equal(200, response.Status);
            var csp = headers["content-security-policy"];
            Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
            Assert.Contains("style-src 'self'", csp, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
            Assert.Equal("no-referrer", headers["referrer-policy"]);
            Assert.Equal("nosniff", headers["x-content-type-options"]);
            Assert.Equal("DENY", headers["x-frame-options"]);
        }

        // No inline script or style in the markup, so the CSP blocks nothing the console needs.
        foreach (var path in new[] { "/workloads", "/tokens", "/tokens/new" })
        {
            await page.GotoAsync(path);
            Assert.Equal(0, await page.Locator("script:not([src]), style, [style]").CountAsync());
            Assert.Equal(0, await page.Locator("[onclick], [onsubmit], [onchange], [onload]").CountAsync());
        }
        await page.AssertNoneAsync();
    }

    [Fact]
    public async Task A_session_survives_a_server_restart_because_its_keys_live_in_the_data_directory()
    {
        var (page, _) = await server.SignedInAsync("Restart Inc");
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(server.DataDirectory, "keys"), "key-*.xml"));

        await server.RestartAsync();

        // Cookies belong to the host, not the port: the same cookie goes to the restarted server.
        await page.GotoAsync(new Uri(server.BaseAddress, "/workloads").ToString());
        Assert.EndsWith("/workloads", page.Url, StringComparison.Ordinal);
        Assert.Equal("Restart Inc", await page.Locator(".account-name").InnerTextAsync());
    }

    private async Task<string> RevokedKeyAsync()
    {
        var key = await server.NewAccountAsync();
        using var api = server.Http(key);
        var created = await api.PostAsync("/v1/license-keys", ApiCalls.Json("""{"name":"spare"}"""));
        var body = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        var keys = System.Text.Json.JsonDocument.Parse(await api.GetStringAsync("/v1/license-keys")).RootElement.GetProperty("items");
        var original = keys.EnumerateArray().First(k => k.GetProperty("id").GetString() != body.GetProperty("id").GetString()).GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.NoContent, (await server.Http(body.GetProperty("key").GetString()).DeleteAsync($"/v1/license-keys/{original}")).StatusCode);
        return key;
    }
}
