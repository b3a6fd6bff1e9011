using System.Net;
using System.Text.Json;
using Tessera.Console.Tests.Infrastructure;

namespace Tessera.Console.Tests;

/// <summary>
/// Issue 18 in the console: a token reported leaked carries a red "Leaked" marker linking to where it was seen,
/// in the Tokens list and on its page, and its Activity says what happened (reported, then cancelled).
/// </summary>
public sealed class LeakMarkerTests(ConsoleServer server) : IClassFixture<ConsoleServer>
{
    [Fact]
    public async Task A_reported_token_shows_the_leaked_marker_with_its_link_in_the_list_and_on_its_page_and_its_activity_says_why()
    {
        var (page, key) = await server.SignedInAsync();
        var (leakedId, secret) = await page.CreateTokenAsync("leaky");
        var (cleanId, _) = await page.CreateTokenAsync("clean");
        await page.GotoAsync("/tokens");
        Assert.Equal(0, await page.Locator(".badge-leaked").CountAsync()); // nothing marked before the report
        const string url = "https://github.com/someone/app/blob/main/.env";

        using var report = await server.Http(key).PostAsync("/v1/leaks", ApiCalls.Json(JsonSerializer.Serialize(new { token = secret, url, source = "content" })));
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);

        await page.GotoAsync("/tokens");
        var leakedRow = page.Locator("#tokens tbody tr", new() { Has = page.Locator($"a[href='/tokens/{leakedId}']") });
        var marker = leakedRow.Locator(".badge-leaked");
        Assert.Equal(1, await marker.CountAsync()); // fails at once rather than after a locator's time-out
        Assert.Equal("Leaked", await marker.InnerTextAsync());
        Assert.Equal(url, await marker.GetAttributeAsync("href"));
        Assert.Contains("Cancelled", await leakedRow.InnerTextAsync(), StringComparison.Ordinal);
        var cleanRow = page.Locator("#tokens tbody tr", new() { Has = page.Locator($"a[href='/tokens/{cleanId}']") });
        Assert.Equal(0, await cleanRow.Locator(".badge-leaked").CountAsync());
        Assert.Equal("rgb(255, 255, 255)", await marker.EvaluateAsync<string>("e => getComputedStyle(e).color"));
        Assert.NotEqual("rgba(0, 0, 0, 0)", await marker.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));
        await page.ScreenshotAsync("tokens-leaked");

        await page.GotoAsync($"/tokens/{leakedId}");
        Assert.Equal(1, await page.Locator("h1 .badge-leaked").CountAsync());
        Assert.Equal(url, await page.Locator("h1 .badge-leaked").GetAttributeAsync("href"));
        var alert = await page.Locator("#leak").InnerTextAsync();
        Assert.Contains("reported seen in public", alert, StringComparison.Ordinal);
        Assert.Contains(url, alert, StringComparison.Ordinal);
        Assert.Contains("(content)", alert, StringComparison.Ordinal);
        var activity = await page.Locator("#token-activity").InnerTextAsync();
        Assert.Contains("Reported leaked", activity, StringComparison.Ordinal);
        Assert.Contains("Cancelled", activity, StringComparison.Ordinal);
        Assert.Contains(url, activity, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync("token-leaked");
        await page.AssertNoneAsync();
    }
}
