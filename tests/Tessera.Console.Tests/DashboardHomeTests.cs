using System.Globalization;
using System.Net;
using System.Text.Json;
using Tessera.Console.Tests.Infrastructure;

namespace Tessera.Console.Tests;

/// <summary>
/// The Dashboard as the console's home (issue 17, ADR 0017): sign-in lands there; it counts the tokens by state
/// (API.md §2: usable, unassigned, expired, cancelled) and the usable ones expiring within 7 days, each count linking
/// to the Tokens list filtered the same way.
/// </summary>
public sealed class DashboardHomeTests(ConsoleServer server) : IClassFixture<ConsoleServer>
{
    [Fact]
    public async Task Sign_in_lands_on_the_dashboard_which_counts_tokens_by_state_and_those_expiring_within_7_days()
    {
        var (page, key) = await server.SignedInAsync("Home Co"); // lands on /dashboard (ConsoleFlows.SignInAsync checks)
        Assert.Equal("Dashboard", await page.Locator("h1").InnerTextAsync());
        Assert.Equal("page", await page.Locator(".mainnav a[href='/dashboard']").GetAttributeAsync("aria-current"));
        Assert.Equal(["0", "0", "0", "0", "0"], await page.Locator("#token-counts a.count").AllInnerTextsAsync());

        using var api = server.Http(key);
        var workload = await api.CreateAsync("/v1/workloads", """{"name":"llama-3"}""");
        async Task<string> Issue(string name, string? workloadId) =>
            await api.CreateAsync("/v1/tokens", workloadId is null ? $$"""{"name":"{{name}}"}""" : $$"""{"name":"{{name}}","workloadId":"{{workloadId}}"}""");
        async Task Patch(string id, string json)
        {
            using var patch = new HttpRequestMessage(HttpMethod.Patch, $"/v1/tokens/{id}") { Content = ApiCalls.Json(json, "application/merge-patch+json") };
            Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(patch)).StatusCode);
        }
        string At(TimeSpan fromNow) => (DateTimeOffset.UtcNow + fromNow).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        await Issue("usable", workload);
        await Patch(await Issue("soon", workload), $$"""{"expiresAt":"{{At(TimeSpan.FromDays(3))}}"}""");
        await Patch(await Issue("unassigned-soon", null), $$"""{"expiresAt":"{{At(TimeSpan.FromDays(2))}}"}""");
        await Patch(await Issue("cancelled", workload), """{"status":"cancelled"}""");
        await Patch(await Issue("expiring", workload), $$"""{"expiresAt":"{{At(TimeSpan.FromSeconds(3))}}"}""");

        // The last one expires within seconds of the real clock: poll the page until it counts as expired (bounded).
        var (counts, _) = await Poll.UntilAsync(async () =>
        {
            await page.GotoAsync("/dashboard");
            return string.Join(',', await page.Locator("#token-counts a.count").AllInnerTextsAsync());
        }, c => c == "2,1,1,1,1", TimeSpan.FromSeconds(60));
        // Usable (usable, soon), unassigned, expired, cancelled; expiring within 7 days: only the usable "soon" (an
        // unassigned token is not counted, as the dashboard's list of expiring tokens shows usable ones).
        Assert.Equal("2,1,1,1,1", counts);
        Assert.Equal(["usable", "unassigned", "expired", "cancelled"],
            await page.Locator("#token-counts .summary-item[data-state]").EvaluateAllAsync<string[]>("e => e.map(x => x.dataset.state)"));
        Assert.Equal(["Active", "Unassigned", "Expired", "Cancelled"], await page.Locator("#token-counts .badge").AllInnerTextsAsync());
        Assert.Contains("5 tokens in all", await page.Locator("#token-counts").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("1 usable tokens expiring within 7 days", await page.Locator("#expiring-count a").GetAttributeAsync("aria-label"));
        Assert.Equal(["soon"], await page.Locator("#expiring tbody td[data-label=Token] a").AllInnerTextsAsync());
        await page.ScreenshotAsync("dashboard-home");

        // Each count opens the Tokens list with the same filter, showing as many tokens.
        await page.Locator(".summary-item[data-state=expired] a.count").ClickAsync();
        await page.LandsOnAsync(() => Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/tokens\?state=expired$")));
        Assert.Equal(["expiring"], await page.Locator("#tokens td[data-label=Name] a").AllInnerTextsAsync());
        await page.GotoAsync("/dashboard");
        await page.Locator(".summary-item[data-state=usable] a.count").ClickAsync();
        await page.LandsOnAsync(() => Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/tokens\?state=usable$")));
        Assert.Equal(2, await page.Locator("#tokens tbody tr").CountAsync());

        // '/' is the home too; the brand link goes there.
        await page.GotoAsync("/tokens");
        await page.Locator("a.brand").ClickAsync();
        await page.LandsOnAsync(() => Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/dashboard$")));
        await page.AssertNoneAsync();
    }

    [Fact]
    public async Task A_key_bound_to_one_workload_counts_only_its_tokens_and_a_key_without_usage_read_lands_on_its_first_page()
    {
        var owner = await server.NewAccountAsync("Bound Co");
        using var api = server.Http(owner);
        var mine = await api.CreateAsync("/v1/workloads", """{"name":"mine"}""");
        var theirs = await api.CreateAsync("/v1/workloads", """{"name":"theirs"}""");
        await api.CreateAsync("/v1/tokens", $$"""{"name":"a","workloadId":"{{mine}}"}""");
        await api.CreateAsync("/v1/tokens", $$"""{"name":"b","workloadId":"{{theirs}}"}""");
        await api.CreateAsync("/v1/tokens", """{"name":"c"}""");

        async Task<string> Key(string json)
        {
            var created = await api.PostAsync("/v1/license-keys", ApiCalls.Json(json));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            return JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;
        }
        var bound = await Key($$"""{"name":"bound","scopes":["tokens:read","usage:read"],"workloadIds":["{{mine}}"]}""");
        var page = await server.NewPageAsync();
        await page.SignInAsync(bound);
        Assert.Equal(["1", "0", "0", "0", "0"], await page.Locator("#token-counts a.count").AllInnerTextsAsync());
        await page.AssertNoneAsync();

        var reader = await Key("""{"name":"reader","scopes":["tokens:read"]}""");
        var other = await server.NewPageAsync();
        await other.GotoAsync("/");
        await other.GetByLabel("License key").FillAsync(reader);
        await other.GetByRole(AriaRole.Button, new() { Name = "Sign in with key" }).ClickAsync();
        await other.LandsOnAsync(() => Assertions.Expect(other).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/tokens$")));
        Assert.Equal(0, await other.Locator(".mainnav a[href='/dashboard']").CountAsync());
        await other.AssertNoneAsync();
    }
}
