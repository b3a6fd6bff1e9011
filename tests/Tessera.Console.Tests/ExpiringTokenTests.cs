using System.Globalization;
using System.Net;
using System.Text.Json;
using Tessera.Console.Tests.Infrastructure;

namespace Tessera.Console.Tests;

/// <summary>
/// Issue 14's expiry warnings in the console: the amber "Expires in …" badge on expiring tokens (list, token page,
/// workload page), readable by its words and its contrast; the Tokens list's "Expiring soon" filter, which lists what
/// the API's <c>state=expiring</c> lists; and the workload page's count of its tokens expiring within 7 days.
/// </summary>
public sealed class ExpiringTokenTests(ConsoleServer server) : IClassFixture<ConsoleServer>
{
    [Fact]
    public async Task Expiring_tokens_are_badged_filtered_and_counted_on_their_workload()
    {
        var (page, key) = await server.SignedInAsync("Expiry Co");
        using var api = server.Http(key);
        var workload = await api.CreateAsync("/v1/workloads", """{"name": "llama-3"}""");
        var now = DateTimeOffset.UtcNow;
        var ids = new Dictionary<string, string>();
        foreach (var (name, assigned, expiresIn) in new (string, bool, TimeSpan?)[]
                 {
                     ("in-three-days", true, TimeSpan.FromDays(3) + TimeSpan.FromHours(2)),
                     ("tomorrow", true, TimeSpan.FromHours(20)),
                     ("next-month", true, null),
                     ("unassigned-soon", false, TimeSpan.FromDays(2)),
                     ("cancelled-soon", true, TimeSpan.FromDays(1)),
                 })
        {
            var json = assigned ? $$"""{"name": "{{name}}", "workloadId": "{{workload}}"}""" : $$"""{"name": "{{name}}"}""";
            ids[name] = await api.CreateAsync("/v1/tokens", json);
            if (expiresIn is { } span)
            {
                var at = (now + span).ToString("O", CultureInfo.InvariantCulture);
                var patched = await api.PatchAsync($"/v1/tokens/{ids[name]}", ApiCalls.Json($$"""{"expiresAt": "{{at}}"}"""));
                Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
            }
        }
        Assert.Equal(HttpStatusCode.OK, (await api.PatchAsync($"/v1/tokens/{ids["cancelled-soon"]}", ApiCalls.Json("""{"status": "cancelled"}"""))).StatusCode);

        // The list: the amber badge says the time left, only on usable tokens expiring within the first warning (not on
        // the unassigned or the cancelled one, which are refused whatever their expiry).
        await page.GotoAsync("/tokens");
        Assert.Equal(new Dictionary<string, string>
        {
            ["in-three-days"] = "Expires in 3 days",
            ["tomorrow"] = "Expires in 20 hours",
        }, await BadgesAsync(page, "#tokens tbody tr"));
        var badge = page.Locator("#tokens .badge-expiring").First;
        Assert.StartsWith("Expires ", await badge.GetAttributeAsync("title"), StringComparison.Ordinal);
        // Readable: WCAG AA contrast (4.5:1) between the badge's text and its background, as the browser renders them.
        var colours = await badge.EvaluateAsync<string[]>("e => { const s = getComputedStyle(e); return [s.color, s.backgroundColor]; }");
        Assert.True(Contrast(colours[0], colours[1]) >= 4.5, $"{colours[0]} on {colours[1]}");

        // The filter: what the API's state=expiring lists (usable tokens: not the unassigned one, which is refused
        // anyway, nor the cancelled one), soonest first.
        await page.GetByLabel("Status").SelectOptionAsync(new SelectOptionValue { Label = "Expiring soon (within 7 days)" });
        await page.FiltersAppliedAsync(); // applied as it changes (issue 21)
        await page.LandsOnAsync(() => Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("state=expiring")));
        var listed = await page.Locator("#tokens tbody td[data-label=Name] a").AllInnerTextsAsync();
        Assert.Equal(["tomorrow", "in-three-days"], listed);
        var fromApi = JsonDocument.Parse(await api.GetStringAsync("/v1/tokens?state=expiring")).RootElement.GetProperty("items")
            .EnumerateArray().Select(t => t.GetProperty("name").GetString()!).Order().ToList();
        Assert.Equal(listed.Order().ToList(), fromApi);
        Assert.Equal("Expiring soon (within 7 days)", await page.GetByLabel("Status").Locator("option:checked").InnerTextAsync());
        await page.AssertLabelledAsync();
        await page.ScreenshotAsync("tokens-expiring");

        // The token page.
        await page.GetByRole(AriaRole.Link, new() { Name = "in-three-days", Exact = true }).ClickAsync();
        Assert.Equal("Expires in 3 days", await page.Locator("h1 .badge-expiring").InnerTextAsync());
        await page.GotoAsync($"/tokens/{ids["next-month"]}");
        Assert.Equal(0, await page.Locator(".badge-expiring").CountAsync());
        await page.GotoAsync($"/tokens/{ids["in-three-days"]}");
        await page.ScreenshotAsync("token-expiring");

        // The workload page counts its own (the cancelled and the unassigned one are not), linking to the filtered list.
        await page.GotoAsync($"/workloads/{workload}");
        Assert.Equal("2 tokens expire within 7 days", await page.Locator("#expiring-count a").InnerTextAsync());
        Assert.Equal("Expiring soon", await page.Locator("#expiring-count .badge").InnerTextAsync());
        Assert.Equal(new Dictionary<string, string>
        {
            ["in-three-days"] = "Expires in 3 days",
            ["tomorrow"] = "Expires in 20 hours",
        }, await BadgesAsync(page, "#workload-tokens tbody tr"));
        await page.ScreenshotAsync("workload-expiring");
        await page.Locator("#expiring-count a").ClickAsync();
        await page.LandsOnAsync(() => Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"workload={workload}.*state=expiring")));
        Assert.Equal(["tomorrow", "in-three-days"], await page.Locator("#tokens tbody td[data-label=Name] a").AllInnerTextsAsync());
        await page.AssertNoneAsync();
    }

    /// <summary>Token name → the text of its expiring badge, for the rows that have one.</summary>
    private static async Task<Dictionary<string, string>> BadgesAsync(IPage page, string rows)
    {
        var badges = new Dictionary<string, string>();
        foreach (var row in await page.Locator(rows).AllAsync())
        {
            var badge = row.Locator(".badge-expiring");
            if (await badge.CountAsync() == 1)
            {
                badges[await row.Locator("td[data-label=Name] a").InnerTextAsync()] = await badge.InnerTextAsync();
            }
        }
        return badges;
    }

    /// <summary>The WCAG contrast ratio of two CSS <c>rgb(…)</c> colours.</summary>
    private static double Contrast(string a, string b)
    {
        static double Luminance(string css)
        {
            var parts = css[(css.IndexOf('(', StringComparison.Ordinal) + 1)..css.IndexOf(')', StringComparison.Ordinal)]
                .Split(',').Take(3).Select(p => double.Parse(p.Trim(), CultureInfo.InvariantCulture) / 255).ToArray();
            double Channel(double c) => c <= 0.03928 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
            return (0.2126 * Channel(parts[0])) + (0.7152 * Channel(parts[1])) + (0.0722 * Channel(parts[2]));
        }
        var (x, y) = (Luminance(a), Luminance(b));
        return (Math.Max(x, y) + 0.05) / (Math.Min(x, y) + 0.05);
    }
}
