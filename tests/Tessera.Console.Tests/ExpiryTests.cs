using System.Net;
using System.Text.Json;
using Tessera.Console.Tests.Infrastructure;

namespace Tessera.Console.Tests;

/// <summary>A server whose tokens live a few seconds, so expiry can be seen through the real clock.</summary>
public sealed class ShortLifetimeServer : ConsoleServer
{
    protected override TimeSpan? Lifetime => TimeSpan.FromSeconds(6);
}

/// <summary>Expired tokens: their badge, the Expired filter, and renewal from the detail page.</summary>
public sealed class ExpiryTests(ShortLifetimeServer server) : IClassFixture<ShortLifetimeServer>
{
    [Fact]
    public async Task An_expired_token_is_badged_filtered_and_renewed_back_to_active()
    {
        var (page, key) = await server.SignedInAsync();
        using var api = server.Http(key);
        var workload = await api.CreateAsync("/v1/workloads", """{"name":"llama-3"}""");
        var issued = JsonDocument.Parse(await (await api.PostAsync("/v1/tokens", ApiCalls.Json($$"""{"name":"henry","workloadId":"{{workload}}"}"""))).Content.ReadAsStringAsync()).RootElement;
        var (id, secret) = (issued.GetProperty("id").GetString()!, issued.GetProperty("token").GetString()!);

        // Prove it works, then wait (on the query side's own answer) until it has expired.
        string? code;
        using (var first = await server.HandshakeAsync(secret))
        {
            code = first.StatusCode == HttpStatusCode.OK ? null : await ApiCalls.CodeAsync(first);
        }
        Assert.Null(code);
        for (var attempt = 0; attempt < 240 && code != "token_expired"; attempt++)
        {
            await Task.Delay(250);
            using var again = await server.HandshakeAsync(secret);
            code = again.StatusCode == HttpStatusCode.OK ? null : await ApiCalls.CodeAsync(again);
        }
        Assert.Equal("token_expired", code);

        await page.GotoAsync("/tokens?state=expired");
        var rows = page.Locator("#tokens tbody tr");
        Assert.Equal(["henry"], await rows.Locator("td[data-label=Name] a").AllInnerTextsAsync());
        Assert.Equal("Expired", await rows.Locator(".badge").InnerTextAsync());
        Assert.Equal("just now", await rows.Locator("td[data-label=Expires] time").InnerTextAsync());
        await page.ScreenshotAsync("tokens-expired");

        await rows.GetByRole(AriaRole.Link, new() { Name = "henry", Exact = true }).ClickAsync();
        Assert.Equal("Expired", await page.Locator("h1 .badge").InnerTextAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "Renew" }).ClickAsync();
        Assert.StartsWith("Renewed. The token now expires", await page.GetByRole(AriaRole.Status).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("Active", await page.Locator("h1 .badge").First.InnerTextAsync()); // for the next 6 s
        // Six seconds is well within the first expiry warning: the amber badge says how soon (issue 14).
        Assert.Equal("Expires in less than a minute", await page.Locator("h1 .badge-expiring").InnerTextAsync());
        var renewed = JsonDocument.Parse(await api.GetStringAsync($"/v1/tokens/{id}")).RootElement;
        Assert.True(renewed.GetProperty("expiresAt").GetDateTimeOffset() > issued.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.Equal(2, renewed.GetProperty("version").GetInt64());
        await page.AssertNoneAsync();
    }
}
