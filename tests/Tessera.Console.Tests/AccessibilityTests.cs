using System.Text.Json;
using Tessera.Console.Tests.Infrastructure;

namespace Tessera.Console.Tests;

/// <summary>
/// Issue 21: every console page, in the light and the dark theme (the system's <c>prefers-color-scheme</c>, emulated),
/// checked by axe-core (the npm package, evaluated in the page by Playwright, CSP unchanged) for serious and critical
/// violations, colour contrast included; a screenshot of each at 1280 and 390 px in both themes.
/// </summary>
public sealed class AccessibilityTests(ConsoleServer server) : IClassFixture<ConsoleServer>
{
    private static readonly string Axe = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "tests", "Tessera.Console.Tests", "node_modules", "axe-core", "axe.min.js"));

    [Fact]
    public async Task Every_page_has_no_serious_or_critical_violation_in_either_theme()
    {
        var (page, key) = await server.SignedInAsync("Accessible AI");
        var workloadId = await page.CreateWorkloadAsync("llama-3", "The chat model");
        var (tokenId, _) = await page.CreateTokenAsync("alice", "llama-3");
        await page.CreateTokenAsync("bob", null);
        using var api = server.Http(key);
        await api.CreateAsync("/v1/license-keys", """{"name":"billing","scopes":["tokens:read"]}""");

        var pages = new (string Path, string Name)[]
        {
            ("/", "home"), ("/dashboard", "dashboard"), ("/tokens", "tokens"), ("/tokens/new", "token-new"), ($"/tokens/{tokenId}", "token"),
            ("/workloads", "workloads"), ($"/workloads/{workloadId}", "workload"), ("/keys", "keys"), ("/audit", "audit"),
            ("/members", "members"), ("/profile", "profile"), ("/webhooks", "webhooks"), ("/tokens?state=expiring", "tokens-expiring"),
            ($"/tokens?cancel={tokenId}", "tokens-cancel-confirm"), ("/audit?action=token.created&from=2020-01-01", "audit-filtered"),
            ("/audit?from=someday", "audit-invalid-date"),
        };
        var found = new List<string>();
        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            await page.EmulateMediaAsync(new() { ColorScheme = scheme });
            foreach (var (path, name) in pages)
            {
                await page.GotoAsync(path);
                found.AddRange((await ViolationsAsync(page)).Select(v => $"{path} ({scheme}): {v}"));
                await page.ScreenshotAsync($"a11y-{name}-{scheme.ToString().ToLowerInvariant()}");
            }
            // The Tokens list's cancel confirmation as a dialog, open.
            await page.GotoAsync("/tokens");
            await page.GetByRole(AriaRole.Link, new() { Name = "Cancel alice" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Dialog)).ToBeVisibleAsync();
            found.AddRange((await ViolationsAsync(page)).Select(v => $"/tokens cancel dialog ({scheme}): {v}"));
            await page.ScreenshotAsync($"a11y-tokens-cancel-dialog-{scheme.ToString().ToLowerInvariant()}");
        }
        // Signed out: the sign-in page in both themes.
        var signedOut = await server.NewPageAsync();
        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            await signedOut.EmulateMediaAsync(new() { ColorScheme = scheme });
            await signedOut.GotoAsync("/sign-in");
            found.AddRange((await ViolationsAsync(signedOut)).Select(v => $"/sign-in ({scheme}): {v}"));
            await signedOut.ScreenshotAsync($"a11y-sign-in-{scheme.ToString().ToLowerInvariant()}");
        }

        Assert.True(found.Count == 0, string.Join('\n', found));
        await page.AssertNoneAsync();
    }

    [Fact]
    public async Task The_dark_theme_follows_the_system_and_changes_the_page_colours()
    {
        var (page, _) = await server.SignedInAsync();
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Light });
        var light = await page.EvaluateAsync<string>("getComputedStyle(document.documentElement).backgroundColor");
        await page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        var dark = await page.EvaluateAsync<string>("getComputedStyle(document.documentElement).backgroundColor");

        Assert.Equal("rgb(245, 246, 250)", light);
        Assert.Equal("rgb(15, 19, 26)", dark);
    }

    /// <summary>axe-core's serious and critical violations on the page as it is now: rule, impact and the first elements hit.</summary>
    private static async Task<IReadOnlyList<string>> ViolationsAsync(IPage page)
    {
        if (!await page.EvaluateAsync<bool>("typeof window.axe !== 'undefined'"))
        {
            await page.EvaluateAsync(Axe); // through the DevTools protocol: the page's CSP (script-src 'self') stays as it is
        }
        var violations = await page.EvaluateAsync<JsonElement>("""
            async () => (await axe.run(document, { resultTypes: ['violations'] })).violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').replace(/\s+/g, ' ')).join(' | ')}`)
            """);
        return violations.EnumerateArray().Select(v => v.GetString()!).ToList();
    }
}
