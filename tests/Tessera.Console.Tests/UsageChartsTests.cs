using System.Net;
using Tessera.Console.Tests.Infrastructure;

namespace Tessera.Console.Tests;

/// <summary>
/// Issue 17 in the console, in a real browser against a real server process: the dashboard, a token's and a
/// workload's page draw server-rendered SVG usage charts (empty state first, then the uses of real verifications
/// after the flush), each with its data table; the Tokens list's Export CSV keeps the list's filters.
/// </summary>
public sealed class UsageChartsTests(ConsoleServer server) : IClassFixture<ConsoleServer>
{
    [Fact]
    public async Task Charts_show_real_uses_with_data_tables_on_the_dashboard_token_and_workload_pages_and_export_keeps_the_filters()
    {
        var (page, _) = await server.SignedInAsync("Usage Co");
        var workloadId = await page.CreateWorkloadAsync("charts");
        var (tokenId, secret) = await page.CreateTokenAsync("charted", "charts");
        await page.CreateTokenAsync("other", "charts");

        await page.GotoAsync($"/tokens/{tokenId}");
        Assert.Contains("Nothing to draw yet", await page.Locator("#token-usage").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#token-usage svg").CountAsync());
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await server.HandshakeAsync(secret)).StatusCode);
        }

        // The flush writes the uses within about a second: poll the dashboard (bounded).
        var (total, _) = await Poll.UntilAsync(async () =>
        {
            await page.GotoAsync("/dashboard");
            return await page.Locator("#account-usage-24h").GetAttributeAsync("data-total");
        }, t => t == "3", TimeSpan.FromSeconds(15));
        Assert.Equal("3", total);
        Assert.Equal(24, await page.Locator("#account-usage-24h svg rect.chart-bar").CountAsync());
        Assert.Equal(30, await page.Locator("#account-usage-30d svg rect.chart-bar").CountAsync());
        Assert.Equal(24, await page.Locator("#account-usage-24h details tbody tr").CountAsync());
        Assert.Contains("3 uses in all", await page.Locator("#account-usage-24h svg").GetAttributeAsync("aria-label") ?? "", StringComparison.Ordinal);
        Assert.Contains("charted", await page.Locator("#busiest-tokens").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("charts", await page.Locator("#busiest-workloads").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("rgb(67, 56, 202)", await page.Locator("#account-usage-24h rect.chart-bar").First.EvaluateAsync<string>("e => getComputedStyle(e).fill"));
        await page.ScreenshotAsync("dashboard");

        await page.GotoAsync($"/tokens/{tokenId}");
        Assert.Equal("3", await page.Locator("#token-usage-24h").GetAttributeAsync("data-total"));
        Assert.Equal("3", await page.Locator("#token-usage-30d").GetAttributeAsync("data-total"));
        await page.ScreenshotAsync("token-usage");
        await page.GotoAsync($"/workloads/{workloadId}");
        Assert.Equal("3", await page.Locator("#workload-usage-24h").GetAttributeAsync("data-total"));

        // Dark mode: the chart still draws light bars on a dark ground.
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        Assert.Equal("rgb(165, 180, 252)", await page.Locator("#workload-usage-24h rect.chart-bar").First.EvaluateAsync<string>("e => getComputedStyle(e).fill"));
        await page.ScreenshotAsync("workload-usage-dark");
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Light });

        // Export CSV from a filtered list: only the filtered tokens.
        await page.GotoAsync("/tokens?q=charted");
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#export-csv"));
        var csv = await File.ReadAllLinesAsync((await download.PathAsync())!);
        Assert.Equal("id,name,workloadId,workloadName,status,state,createdAt,expiresAt,lastUsedAt,useCount,hint,note", csv[0]);
        Assert.Equal(2, csv.Length);
        Assert.StartsWith($"{tokenId},charted,{workloadId},charts,active,usable,", csv[1], StringComparison.Ordinal);
        Assert.DoesNotContain(secret, string.Join('\n', csv), StringComparison.Ordinal);
        await page.AssertNoneAsync();
    }
}
