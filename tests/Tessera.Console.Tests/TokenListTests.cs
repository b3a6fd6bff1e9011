using System.Net;
using System.Text.Json;
using Tessera.Console.Tests.Infrastructure;

namespace Tessera.Console.Tests;

/// <summary>
/// Issue 21, the Tokens list: filters applied as they change (and with Apply without script), kept in the URL so a
/// pasted link, the next page and "Export CSV" show the same view, the count of matches, a clear message for a bad
/// filter in the URL, and each row's quick actions (copy id, renew, cancel after a confirmation) with their refusals.
/// </summary>
public sealed class TokenListTests(ConsoleServer server) : IClassFixture<ConsoleServer>
{
    [Fact]
    public async Task Filters_apply_as_they_change_stay_in_the_url_count_the_matches_and_survive_a_pasted_link_the_next_page_and_the_export()
    {
        var (page, key) = await server.SignedInAsync();
        using var api = server.Http(key);
        var llama = await api.CreateAsync("/v1/workloads", """{"name":"llama-3"}""");
        var ids = new List<string>();
        for (var i = 0; i < 27; i++)
        {
            ids.Add(await api.CreateAsync("/v1/tokens", $$"""{"name":"user-{{i:00}}","workloadId":"{{llama}}"}"""));
        }
        await api.CreateAsync("/v1/tokens", """{"name":"parked"}""");
        Assert.Equal(HttpStatusCode.OK, (await api.PatchAsync($"/v1/tokens/{ids[3]}", ApiCalls.Json("""{"status":"cancelled"}"""))).StatusCode);

        await page.GotoAsync("/tokens");
        var rows = page.Locator("#tokens tbody tr");
        var names = rows.Locator("td[data-label=Name] a");
        Assert.Equal("28 tokens", await page.Locator("#match-count").InnerTextAsync());
        Assert.False(await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).IsVisibleAsync()); // script applies on change
        await page.EvaluateAsync("window.__samePage = true");

        // A status: applied at once, in place (no reload: the page's own variable survives), the count and the URL follow.
        await page.GetByLabel("Status").SelectOptionAsync(new SelectOptionValue { Label = "Cancelled" });
        await page.FiltersAppliedAsync();
        Assert.Equal(["user-03"], await names.AllInnerTextsAsync());
        Assert.Equal("1 token", await page.Locator("#match-count").InnerTextAsync());
        Assert.Contains("state=cancelled", page.Url, StringComparison.Ordinal);
        Assert.True(await page.EvaluateAsync<bool>("window.__samePage === true"));

        // Typing a name applies after a pause, focus stays in the field; the workload and sort keep up.
        await page.GetByLabel("Status").SelectOptionAsync(new SelectOptionValue { Label = "Any status" });
        await page.GetByLabel("Workload").SelectOptionAsync(new SelectOptionValue { Label = "llama-3" });
        await page.GetByLabel("Sort by").SelectOptionAsync(new SelectOptionValue { Label = "Name A–Z" });
        await page.GetByLabel("Name contains").FillAsync("user-1");
        await page.FiltersAppliedAsync();
        Assert.Equal(Enumerable.Range(10, 10).Select(i => $"user-{i}"), await names.AllInnerTextsAsync());
        Assert.Equal("10 tokens", await page.Locator("#match-count").InnerTextAsync());
        Assert.Equal("q", await page.EvaluateAsync<string>("document.activeElement.id"));
        Assert.True(await page.EvaluateAsync<bool>("window.__samePage === true"));
        var shared = page.Url;
        Assert.Contains($"workload={llama}", shared, StringComparison.Ordinal);
        Assert.Contains("sort=name", shared, StringComparison.Ordinal);
        Assert.Contains("q=user-1", shared, StringComparison.Ordinal);
        var export = await page.Locator("#export-csv").GetAttributeAsync("href");
        Assert.Contains("q=user-1", export, StringComparison.Ordinal);
        Assert.Contains($"workload={llama}", export, StringComparison.Ordinal);

        // The link pasted into a fresh page shows the same view, the form filled in as it was.
        await page.GotoAsync(shared);
        Assert.Equal(Enumerable.Range(10, 10).Select(i => $"user-{i}"), await names.AllInnerTextsAsync());
        Assert.Equal("10 tokens", await page.Locator("#match-count").InnerTextAsync());
        Assert.Equal("user-1", await page.GetByLabel("Name contains").InputValueAsync());
        Assert.Equal("Name A–Z", await page.GetByLabel("Sort by").Locator("option:checked").InnerTextAsync());
        Assert.Equal("llama-3", await page.GetByLabel("Workload").Locator("option:checked").InnerTextAsync());

        // The next page keeps the filters (and the count is of every page, not this one).
        await page.GetByLabel("Name contains").FillAsync("user");
        await page.FiltersAppliedAsync();
        Assert.Equal("27 tokens", await page.Locator("#match-count").InnerTextAsync());
        await page.GetByRole(AriaRole.Link, new() { Name = "Next page" }).ClickAsync();
        await page.LandsOnAsync(() => Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("cursor=")));
        Assert.Equal(["user-25", "user-26"], await names.AllInnerTextsAsync());
        Assert.Equal("27 tokens", await page.Locator("#match-count").InnerTextAsync());
        Assert.Contains("q=user", page.Url, StringComparison.Ordinal);
        Assert.Equal("user", await page.GetByLabel("Name contains").InputValueAsync());

        // Export CSV: every matching token, with the filters of the view.
        var csv = await page.Context.APIRequest.GetAsync((await page.Locator("#export-csv").GetAttributeAsync("href"))!);
        Assert.Equal(200, csv.Status);
        var lines = (await csv.TextAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(28, lines.Length); // the header and the 27 users, not "parked"
        Assert.DoesNotContain(lines, line => line.Contains("parked", StringComparison.Ordinal));
        await page.AssertNoneAsync();
    }

    [Fact]
    public async Task A_bad_filter_in_the_url_is_named_in_a_message_and_the_list_still_shows()
    {
        var (page, key) = await server.SignedInAsync();
        using var api = server.Http(key);
        await api.CreateAsync("/v1/tokens", """{"name":"alice"}""");
        var rows = page.Locator("#tokens tbody tr");

        var response = await page.GotoAsync("/tokens?state=bogus&workload=wl_nope&sort=sideways");
        Assert.Equal(200, response!.Status);
        var alert = await page.GetByRole(AriaRole.Alert).InnerTextAsync();
        Assert.Contains("does not know (workload, state, sort)", alert, StringComparison.Ordinal);
        Assert.Equal(1, await rows.CountAsync());
        Assert.Equal("1 token", await page.Locator("#match-count").InnerTextAsync());

        response = await page.GotoAsync("/tokens?q=" + new string('x', 101));
        Assert.Equal(200, response!.Status);
        Assert.Contains("q: Must be at most 100 characters.", await page.GetByRole(AriaRole.Alert).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await rows.CountAsync());

        response = await page.GotoAsync("/tokens?cursor=not-a-cursor");
        Assert.Equal(200, response!.Status);
        Assert.Contains("That page link is no longer valid", await page.GetByRole(AriaRole.Alert).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await rows.CountAsync());

        // A cancel confirmation for a token that is not this account's shows none (and no error page).
        response = await page.GotoAsync("/tokens?cancel=tok_00000000000000000000000000000000");
        Assert.Equal(200, response!.Status);
        Assert.Equal(0, await page.Locator("#confirm-cancel").CountAsync());
        await page.AssertNoneAsync();
    }

    [Fact]
    public async Task Row_quick_actions_copy_the_id_renew_and_cancel_only_after_the_confirmation()
    {
        var (page, key) = await server.SignedInAsync();
        using var api = server.Http(key);
        var llama = await api.CreateAsync("/v1/workloads", """{"name":"llama-3"}""");
        var issued = JsonDocument.Parse(await (await api.PostAsync("/v1/tokens", ApiCalls.Json($$"""{"name":"alice","workloadId":"{{llama}}"}""")))
            .Content.ReadAsStringAsync()).RootElement;
        var (alice, secret) = (issued.GetProperty("id").GetString()!, issued.GetProperty("token").GetString()!);
        var bob = await api.CreateAsync("/v1/tokens", $$"""{"name":"bob","workloadId":"{{llama}}"}""");
        var soon = DateTimeOffset.UtcNow.AddDays(2).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(HttpStatusCode.OK, (await api.PatchAsync($"/v1/tokens/{alice}", ApiCalls.Json($$"""{"expiresAt":"{{soon}}"}"""))).StatusCode);

        await page.GotoAsync("/tokens?workload=" + llama);
        var row = page.Locator("#tokens tbody tr", new() { HasText = "alice" });

        // Copy id: the id on the clipboard, said in a live region.
        await row.GetByRole(AriaRole.Button, new() { Name = "Copy id of alice" }).ClickAsync();
        await Assertions.Expect(page.Locator("#copy-status")).ToHaveTextAsync("The id of “alice” is on your clipboard.");
        Assert.Equal(alice, await page.EvaluateAsync<string>("navigator.clipboard.readText()"));

        // Renew: back on the same view, the expiry the lifetime from now.
        Assert.NotEqual("in 30 days", await row.Locator("td[data-label=Expires] time").InnerTextAsync());
        await row.GetByRole(AriaRole.Button, new() { Name = "Renew alice" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Token renewed. It now expires in 30 days.");
        Assert.Contains($"workload={llama}", page.Url, StringComparison.Ordinal);
        Assert.Equal("in 30 days", await row.Locator("td[data-label=Expires] time").InnerTextAsync());

        // Cancel asks first: "Keep it" closes the dialog and changes nothing.
        await row.GetByRole(AriaRole.Link, new() { Name = "Cancel alice" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        Assert.Equal("Cancel “alice”?", await dialog.GetByRole(AriaRole.Heading).InnerTextAsync());
        await page.ScreenshotAsync("tokens-cancel-dialog");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Keep it" }).ClickAsync();
        await Assertions.Expect(dialog).ToBeHiddenAsync();
        Assert.Equal("active", await StatusAsync(api, alice));
        using (var still = await server.HandshakeAsync(secret))
        {
            Assert.Equal(HttpStatusCode.OK, still.StatusCode);
        }

        // Confirmed: cancelled, refused on the next call, and the row offers no more actions.
        await row.GetByRole(AriaRole.Link, new() { Name = "Cancel alice" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel token" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Token cancelled. Every call with it is refused from now on.");
        Assert.Equal("cancelled", await StatusAsync(api, alice));
        using (var refused = await server.HandshakeAsync(secret))
        {
            Assert.Equal("token_cancelled", await ApiCalls.CodeAsync(refused));
        }
        Assert.Equal("Cancelled", await row.Locator(".badge").First.InnerTextAsync());
        Assert.Equal(0, await row.GetByRole(AriaRole.Link, new() { Name = "Cancel alice" }).CountAsync());
        Assert.Equal(0, await row.GetByRole(AriaRole.Button, new() { Name = "Renew alice" }).CountAsync());

        // A cancel posted without its confirmation does nothing: back to the list with the confirmation and a message.
        var antiforgery = await page.Locator("input[name=__antiforgery]").First.InputValueAsync();
        var form = page.Context.APIRequest.CreateFormData();
        form.Set("__antiforgery", antiforgery);
        form.Set("tokenId", bob);
        form.Set("version", "1");
        form.Set("returnUrl", "/tokens?workload=" + llama);
        var unconfirmed = await page.Context.APIRequest.PostAsync("/tokens?handler=Cancel", new() { Form = form, MaxRedirects = 0 });
        Assert.Equal(302, unconfirmed.Status);
        Assert.Equal("active", await StatusAsync(api, bob));
        await page.GotoAsync(unconfirmed.Headers["location"]);
        Assert.Contains("was not cancelled", await page.GetByRole(AriaRole.Alert).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("Cancel “bob”?", await page.Locator("#confirm-cancel").InnerTextAsync(), StringComparison.Ordinal);

        // A renew of a version changed meanwhile does nothing either, and says so.
        form.Set("version", "7");
        var stale = await page.Context.APIRequest.PostAsync("/tokens?handler=Renew", new() { Form = form, MaxRedirects = 0 });
        Assert.Equal(302, stale.Status);
        await page.GotoAsync(stale.Headers["location"]);
        Assert.Contains("changed elsewhere", await page.GetByRole(AriaRole.Alert).InnerTextAsync(), StringComparison.Ordinal);
        var bobNow = JsonDocument.Parse(await api.GetStringAsync($"/v1/tokens/{bob}")).RootElement;
        Assert.Equal(1, bobNow.GetProperty("version").GetInt32());
        await page.AssertNoneAsync();
    }

    [Fact]
    public async Task Without_script_Apply_filters_and_cancel_confirms_on_the_page()
    {
        var (page, key) = await server.SignedInAsync(javaScript: false);
        using var api = server.Http(key);
        var llama = await api.CreateAsync("/v1/workloads", """{"name":"llama-3"}""");
        var carol = await api.CreateAsync("/v1/tokens", $$"""{"name":"carol","workloadId":"{{llama}}"}""");
        await api.CreateAsync("/v1/tokens", """{"name":"parked"}""");

        await page.GotoAsync("/tokens");
        Assert.Equal("2 tokens", await page.Locator("#match-count").InnerTextAsync());
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = "Copy id of carol" }).CountAsync()); // needs script: not shown
        await page.GetByLabel("Status").SelectOptionAsync(new SelectOptionValue { Label = "Active" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await page.LandsOnAsync(() => Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("state=usable")));
        Assert.Equal(["carol"], await page.Locator("#tokens tbody td[data-label=Name] a").AllInnerTextsAsync());
        Assert.Equal("1 token", await page.Locator("#match-count").InnerTextAsync());

        // Cancel opens the confirmation on the page; "Keep it" returns to the same view with nothing changed.
        await page.GetByRole(AriaRole.Link, new() { Name = "Cancel carol" }).ClickAsync();
        var confirm = page.Locator("#confirm-cancel");
        Assert.Contains("Cancel “carol”?", await confirm.InnerTextAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync("tokens-cancel-confirm");
        await confirm.GetByRole(AriaRole.Link, new() { Name = "Keep it" }).ClickAsync();
        await page.LandsOnAsync(() => Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/tokens\?state=usable$")));
        Assert.Equal(0, await confirm.CountAsync());
        Assert.Equal("active", await StatusAsync(api, carol));

        await page.GetByRole(AriaRole.Link, new() { Name = "Cancel carol" }).ClickAsync();
        await confirm.GetByRole(AriaRole.Button, new() { Name = "Cancel token" }).ClickAsync();
        await page.LandsOnAsync(() => Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"state=usable&done=cancelled")));
        Assert.Equal("Token cancelled. Every call with it is refused from now on.", await page.GetByRole(AriaRole.Status).InnerTextAsync());
        Assert.Equal("cancelled", await StatusAsync(api, carol));
        Assert.Equal("0 tokens", await page.Locator("#match-count").InnerTextAsync()); // the view kept: no usable token left
        await page.AssertNoneAsync();
    }

    [Fact]
    public async Task A_key_without_tokens_write_sees_no_row_actions_and_a_forged_post_is_refused()
    {
        var owner = await server.NewAccountAsync("List Read-only Co");
        using var api = server.Http(owner);
        var tokenId = await api.CreateAsync("/v1/tokens", """{"name":"alice"}""");
        var readOnly = JsonDocument.Parse(await (await api.PostAsync("/v1/license-keys",
                ApiCalls.Json("""{"name": "viewer", "scopes": ["tokens:read", "workloads:read"]}"""))).Content.ReadAsStringAsync())
            .RootElement.GetProperty("key").GetString()!;
        var page = await server.NewPageAsync();
        await page.SignInAsync(readOnly, landsOn: "/workloads");

        await page.GotoAsync($"/tokens?cancel={tokenId}");
        var row = page.Locator("#tokens tbody tr", new() { HasText = "alice" });
        Assert.Equal(1, await row.GetByRole(AriaRole.Button, new() { Name = "Copy id of alice" }).CountAsync());
        Assert.Equal(0, await row.GetByRole(AriaRole.Button, new() { Name = "Renew alice" }).CountAsync());
        Assert.Equal(0, await row.GetByRole(AriaRole.Link, new() { Name = "Cancel alice" }).CountAsync());
        Assert.Equal(0, await page.Locator("#confirm-cancel, #cancel-dialog").CountAsync());

        var antiforgery = await page.Locator("input[name=__antiforgery]").First.InputValueAsync();
        foreach (var handler in new[] { "Renew", "Cancel" })
        {
            var form = page.Context.APIRequest.CreateFormData();
            form.Set("__antiforgery", antiforgery);
            form.Set("tokenId", tokenId);
            form.Set("version", "1");
            form.Set("confirmed", "yes");
            var posted = await page.Context.APIRequest.PostAsync($"/tokens?handler={handler}", new() { Form = form, MaxRedirects = 0 });
            Assert.Equal(403, posted.Status);
            Assert.Contains("tokens:write", await posted.TextAsync(), StringComparison.Ordinal);
        }
        var token = JsonDocument.Parse(await api.GetStringAsync($"/v1/tokens/{tokenId}")).RootElement;
        Assert.Equal(("active", 1), (token.GetProperty("status").GetString(), token.GetProperty("version").GetInt32()));
    }

    private static async Task<string> StatusAsync(HttpClient api, string tokenId) =>
        JsonDocument.Parse(await api.GetStringAsync($"/v1/tokens/{tokenId}")).RootElement.GetProperty("status").GetString()!;
}
