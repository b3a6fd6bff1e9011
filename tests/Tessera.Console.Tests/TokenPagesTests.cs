using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tessera.Console.Tests.Infrastructure;

namespace Tessera.Console.Tests;

/// <summary>The creation stepper, the token detail page and the Tokens list, proven against the query side.</summary>
public sealed class TokenPagesTests(ConsoleServer server) : IClassFixture<ConsoleServer>
{
    [Fact]
    public async Task The_stepper_shows_the_value_once_it_works_at_handshake_and_copy_puts_it_on_the_clipboard()
    {
        var (page, _) = await server.SignedInAsync();
        await page.CreateWorkloadAsync("llama-3");
        await page.GotoAsync("/tokens");
        Assert.Contains("No tokens yet", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync("tokens-empty");

        await page.GetByRole(AriaRole.Link, new() { Name = "Create token", Exact = true }).ClickAsync();
        Assert.Equal("Unassigned", await page.GetByLabel("Workload").Locator("option:checked").InnerTextAsync());
        await page.AssertLabelledAsync();
        await page.ScreenshotAsync("token-new-details");

        // Name is required: the error shows beside the field.
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(" ");
        await page.GetByRole(AriaRole.Button, new() { Name = "Generate" }).ClickAsync();
        Assert.NotEqual("", await page.Locator("#name-error").InnerTextAsync());

        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("alice@example.com");
        await page.GetByLabel("Workload").SelectOptionAsync(new SelectOptionValue { Label = "llama-3" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Generate" }).ClickAsync();
        var value = page.Locator("#token-value");
        var secret = await value.InputValueAsync();
        Assert.Matches("^tsq_[0-9A-Za-z]{49}$", secret);
        Assert.Equal("", await value.GetAttributeAsync("readonly"));
        Assert.Contains("not store", await page.GetByRole(AriaRole.Note).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("cannot retrieve it later", await page.GetByRole(AriaRole.Note).InnerTextAsync(), StringComparison.Ordinal);

        await page.GetByRole(AriaRole.Button, new() { Name = "Copy" }).ClickAsync();
        // The clipboard write is asynchronous: wait (Playwright's expect retries) for the page to confirm it.
        await Assertions.Expect(page.Locator("#copy-status")).ToHaveTextAsync("The token is on your clipboard.");
        Assert.Equal(secret, await page.EvaluateAsync<string>("navigator.clipboard.readText()"));
        await page.ScreenshotAsync("token-new-value");

        // The token works on the query side.
        using (var handshake = await server.HandshakeAsync(secret))
        {
            Assert.Equal(HttpStatusCode.OK, handshake.StatusCode);
            Assert.Equal("alice@example.com", JsonDocument.Parse(await handshake.Content.ReadAsStringAsync()).RootElement.GetProperty("tokenName").GetString());
        }

        await page.GetByRole(AriaRole.Link, new() { Name = "Review" }).ClickAsync();
        var review = await page.Locator("#review").InnerTextAsync();
        Assert.Contains("llama-3", review, StringComparison.Ordinal);
        Assert.Contains("Active", review, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync("token-new-review");

        // Leaving after Generate never shows the value again: the review reloads without it.
        await page.ReloadAsync();
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        await page.GotoAsync("/tokens");
        Assert.Equal(1, await page.Locator("#tokens tbody tr").CountAsync());
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        await page.AssertNoneAsync();
    }

    [Fact]
    public async Task Resubmitting_the_generate_form_issues_no_second_token_and_shows_no_value()
    {
        var (page, _) = await server.SignedInAsync();
        await page.GotoAsync("/tokens/new");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("only-once");
        await page.GetByRole(AriaRole.Button, new() { Name = "Generate" }).ClickAsync();
        var secret = await page.Locator("#token-value").InputValueAsync();

        // Reloading the answer to a POST sends the same form (same draft) again.
        await page.ReloadAsync();
        Assert.Equal(0, await page.Locator("#token-value").CountAsync());
        Assert.Contains("Check the details", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        await page.GotoAsync("/tokens");
        Assert.Equal(1, await page.Locator("#tokens tbody tr").CountAsync());
    }

    [Fact]
    public async Task Delete_on_the_review_step_asks_first_then_removes_the_token()
    {
        var (page, _) = await server.SignedInAsync();
        var (id, secret) = await page.CreateTokenAsync("typo-nmae");
        // The first press only asks (issue 21); keeping it changes nothing.
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        Assert.Contains("cannot be undone", await page.GetByRole(AriaRole.Alertdialog).InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByRole(AriaRole.Link, new() { Name = "Keep it" }).ClickAsync();
        Assert.Equal(200, (await page.APIRequest.GetAsync($"/tokens/{id}")).Status);
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete token" }).ClickAsync();
        Assert.Contains("The token was deleted", await page.GetByRole(AriaRole.Status).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("Details", await page.Locator(".stepper li.current").InnerTextAsync(), StringComparison.Ordinal);

        using var handshake = await server.HandshakeAsync(secret);
        Assert.Equal(HttpStatusCode.Unauthorized, handshake.StatusCode);
        Assert.Equal("token_unknown", await ApiCalls.CodeAsync(handshake));
        Assert.Equal(404, (await page.GotoAsync($"/tokens/{id}"))!.Status);
    }

    [Fact]
    public async Task Cancel_refuses_the_token_then_reactivate_reassign_unassign_renew_set_expiry_and_delete()
    {
        var (page, _) = await server.SignedInAsync();
        await page.CreateWorkloadAsync("llama-3");
        await page.CreateWorkloadAsync("mistral-7b");
        var (id, secret) = await page.CreateTokenAsync("frank", "llama-3");
        using (var works = await server.HandshakeAsync(secret))
        {
            Assert.Equal(HttpStatusCode.OK, works.StatusCode);
        }

        await page.GotoAsync($"/tokens/{id}");
        await page.AssertLabelledAsync();
        await page.ScreenshotAsync("token-detail");

        // Cancel in the UI: refused on the very next call.
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel token" }).ClickAsync();
        Assert.Equal("Cancelled", await page.Locator("h1 .badge").InnerTextAsync());
        using (var refused = await server.HandshakeAsync(secret))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("token_cancelled", await ApiCalls.CodeAsync(refused));
        }
        Assert.True(await page.GetByRole(AriaRole.Button, new() { Name = "Renew" }).IsDisabledAsync());
        await page.ScreenshotAsync("token-detail-cancelled");

        await page.GetByRole(AriaRole.Button, new() { Name = "Reactivate" }).ClickAsync();
        Assert.Equal("Active", await page.Locator("h1 .badge").InnerTextAsync());

        // Reassign with the dropdown, then unassign with its "Unassigned" entry.
        await page.GetByLabel("Workload", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "mistral-7b" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        Assert.Equal("mistral-7b", await page.Locator("#summary a").First.InnerTextAsync());
        using (var moved = await server.HandshakeAsync(secret))
        {
            Assert.Equal("mistral-7b", JsonDocument.Parse(await moved.Content.ReadAsStringAsync()).RootElement.GetProperty("workload").GetProperty("name").GetString());
        }
        await page.GetByLabel("Workload", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Unassigned" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        Assert.Equal("Unassigned", await page.Locator("h1 .badge").InnerTextAsync());
        using (var parked = await server.HandshakeAsync(secret))
        {
            Assert.Equal("token_unassigned", await ApiCalls.CodeAsync(parked));
        }

        // Rename and note.
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("frank (laptop)");
        await page.GetByLabel("Note").FillAsync("Pilot customer");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        Assert.Contains("frank (laptop)", await page.Locator("h1").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("Pilot customer", await page.GetByLabel("Note").InputValueAsync());

        // Set an expiry within the range, then one outside it (refused beside the field), then renew.
        var soon = TimeProvider.System.GetUtcNow().UtcDateTime.AddDays(3);
        await page.GetByLabel("Expires at (UTC)").FillAsync(soon.ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Set expiry" }).ClickAsync();
        Assert.Equal("Expiry updated.", await page.GetByRole(AriaRole.Status).InnerTextAsync());
        Assert.Contains("in 3 days", await page.Locator("#expires time").InnerTextAsync(), StringComparison.Ordinal);
        await page.Locator("#expiresAt").EvaluateAsync("e => { e.removeAttribute('max'); e.value = '2099-01-01T00:00'; }");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set expiry" }).ClickAsync();
        Assert.Contains("at most", await page.Locator("#expiresAt-error").InnerTextAsync(), StringComparison.Ordinal);

        await page.GetByRole(AriaRole.Button, new() { Name = "Renew" }).ClickAsync();
        var notice = await page.GetByRole(AriaRole.Status).InnerTextAsync();
        Assert.StartsWith("Renewed. The token now expires in 30 days", notice, StringComparison.Ordinal);
        Assert.Contains("in 30 days", await page.Locator("#expires time").InnerTextAsync(), StringComparison.Ordinal);
        Assert.NotNull(await page.Locator("#expires time").GetAttributeAsync("title"));

        // Delete needs the name typed.
        await page.GetByLabel("to confirm").FillAsync("frank");
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete token" }).ClickAsync();
        Assert.NotEqual("", await page.Locator("#confirmName-error").InnerTextAsync());
        await page.GetByLabel("to confirm").FillAsync("frank (laptop)");
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete token" }).ClickAsync();
        await page.LandsOnAsync(new Regex(@"/tokens\?done=deleted$"));
        using (var gone = await server.HandshakeAsync(secret))
        {
            Assert.Equal("token_unknown", await ApiCalls.CodeAsync(gone));
        }
        await page.AssertNoneAsync();
    }

    [Fact]
    public async Task The_activity_section_shows_who_changed_what_and_the_audit_trail_names_the_console_session()
    {
        var (page, key) = await server.SignedInAsync();
        await page.CreateWorkloadAsync("llama-3");
        var (id, secret) = await page.CreateTokenAsync("grace", "llama-3");
        await page.GotoAsync($"/tokens/{id}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel token" }).ClickAsync();

        var activity = page.Locator("#token-activity tbody tr");
        Assert.Equal(2, await activity.CountAsync());
        Assert.Contains("Cancelled", await activity.Nth(0).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("Created", await activity.Nth(1).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("console session", await activity.Nth(0).InnerTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync("token-detail-activity");

        using var api = server.Http(key);
        var trail = JsonDocument.Parse(await api.GetStringAsync(new Uri($"/v1/audit?objectId={id}", UriKind.Relative))).RootElement.GetProperty("items");
        Assert.Equal(["token.cancelled", "token.created"], trail.EnumerateArray().Select(e => e.GetProperty("action").GetString()));
        var session = trail[0].GetProperty("actorId").GetString();
        Assert.Equal("console_session", trail[0].GetProperty("actorType").GetString());
        Assert.StartsWith("ses_", session, StringComparison.Ordinal);
        var signIns = JsonDocument.Parse(await api.GetStringAsync(new Uri("/v1/audit?action=console.signed_in", UriKind.Relative))).RootElement.GetProperty("items");
        Assert.Equal(session, signIns.EnumerateArray().Single().GetProperty("actorId").GetString());
    }

    /// <summary>Issue 21: the Activity section reads as a person would say it, not as raw JSON.</summary>
    [Fact]
    public async Task Activity_shows_each_change_field_by_field_with_workload_names()
    {
        var (page, key) = await server.SignedInAsync();
        await page.CreateWorkloadAsync("llama-3");
        var (id, _) = await page.CreateTokenAsync("heidi", "llama-3");
        using var api = server.Http(key);
        var unassign = ApiCalls.Json("""{"workloadId":null,"note":"moved out"}""", "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.OK, (await api.PatchAsync($"/v1/tokens/{id}", unassign)).StatusCode);

        await page.GotoAsync($"/tokens/{id}");

        var rows = page.Locator("#token-activity tbody tr");
        var changes = await page.Locator("#token-activity tbody tr td[data-label=Change]").AllInnerTextsAsync();
        var update = string.Join('\n', changes.Take(changes.Count - 1)); // every entry after the creation (one per action)
        Assert.Contains("Workload: llama-3 → Unassigned", update, StringComparison.Ordinal);
        Assert.Contains("Note: (empty) → moved out", update, StringComparison.Ordinal);
        Assert.DoesNotContain("Name:", update, StringComparison.Ordinal); // unchanged fields are left out
        var created = await rows.Last.Locator("td[data-label=Change]").InnerTextAsync();
        Assert.Contains("Name: — → heidi", created, StringComparison.Ordinal);
        Assert.Matches(@"Expires at: — → \d{1,2} \w{3} \d{4}, \d{2}:\d{2}:\d{2} UTC", created);
        Assert.DoesNotContain("{\"", await page.Locator("#token-activity").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stale_edit_shows_a_clear_message_instead_of_overwriting()
    {
        var (page, key) = await server.SignedInAsync();
        var (id, _) = await page.CreateTokenAsync("grace");
        await page.GotoAsync($"/tokens/{id}");

        // Another tab (here: the API) renames the token after this page was rendered.
        using var api = server.Http(key);
        var patch = ApiCalls.Json("""{"name":"grace (renamed elsewhere)"}""", "application/merge-patch+json");
        Assert.Equal(HttpStatusCode.OK, (await api.PatchAsync($"/v1/tokens/{id}", patch)).StatusCode);

        await page.GetByLabel("Note").FillAsync("my edit");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        Assert.Contains("changed elsewhere", await page.GetByRole(AriaRole.Alert).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("grace (renamed elsewhere)", await page.GetByLabel("Name", new() { Exact = true }).InputValueAsync());
        await page.ScreenshotAsync("token-detail-stale");

        var stored = JsonDocument.Parse(await api.GetStringAsync($"/v1/tokens/{id}")).RootElement;
        Assert.Equal("", stored.GetProperty("note").GetString());
        Assert.Equal("grace (renamed elsewhere)", stored.GetProperty("name").GetString());

        // The same click again, now on the fresh version, goes through.
        await page.GetByLabel("Note").FillAsync("my edit");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        Assert.Equal("Changes saved.", await page.GetByRole(AriaRole.Status).InnerTextAsync());
    }

    [Fact]
    public async Task The_tokens_list_filters_by_workload_state_and_name_sorts_and_pages()
    {
        var (page, key) = await server.SignedInAsync();
        using var api = server.Http(key);
        var llama = await api.CreateAsync("/v1/workloads", """{"name":"llama-3"}""");
        await api.CreateAsync("/v1/workloads", """{"name":"mistral-7b"}""");
        for (var i = 0; i < 27; i++)
        {
            await api.CreateAsync("/v1/tokens", $$"""{"name":"user-{{i:00}}","workloadId":"{{llama}}"}""");
        }
        var cancelled = await api.CreateAsync("/v1/tokens", $$"""{"name":"zed-cancelled","workloadId":"{{llama}}"}""");
        var patch = ApiCalls.Json("""{"status":"cancelled"}""");
        Assert.Equal(HttpStatusCode.OK, (await api.PatchAsync($"/v1/tokens/{cancelled}", patch)).StatusCode);
        await api.CreateAsync("/v1/tokens", """{"name":"parked"}""");

        await page.GotoAsync("/tokens");
        var rows = page.Locator("#tokens tbody tr");
        Assert.Equal(25, await rows.CountAsync());
        Assert.Equal("parked", await rows.First.Locator("td[data-label=Name] a").InnerTextAsync());
        Assert.Equal("Unassigned", await rows.First.Locator("td[data-label=Workload]").InnerTextAsync());
        Assert.Equal("in 30 days", await rows.First.Locator("td[data-label=Expires] time").InnerTextAsync());
        Assert.EndsWith("UTC", await rows.First.Locator("td[data-label=Expires] time").GetAttributeAsync("title"), StringComparison.Ordinal);
        Assert.Equal("Never", await rows.First.Locator("td[data-label='Last used']").InnerTextAsync());
        await page.AssertLabelledAsync();
        await page.ScreenshotAsync("tokens");

        await page.GetByRole(AriaRole.Link, new() { Name = "Next page" }).ClickAsync();
        Assert.Equal(4, await rows.CountAsync());
        Assert.Equal(0, await page.GetByRole(AriaRole.Link, new() { Name = "Next page" }).CountAsync());
        await page.GetByRole(AriaRole.Link, new() { Name = "First page" }).ClickAsync();
        Assert.Equal(25, await rows.CountAsync());

        // State filter.
        await page.GetByLabel("Status").SelectOptionAsync(new SelectOptionValue { Label = "Cancelled" });
        await page.FiltersAppliedAsync(); // applied as they change (issue 21)
        Assert.Equal(["zed-cancelled"], await rows.Locator("td[data-label=Name] a").AllInnerTextsAsync());
        Assert.Equal("Cancelled", await rows.Locator(".badge").InnerTextAsync());

        await page.GetByLabel("Status").SelectOptionAsync(new SelectOptionValue { Label = "Unassigned" });
        await page.FiltersAppliedAsync(); // applied as they change (issue 21)
        Assert.Equal(["parked"], await rows.Locator("td[data-label=Name] a").AllInnerTextsAsync());

        // Workload filter, with the name search and a sort, kept across pages.
        await page.GetByLabel("Status").SelectOptionAsync(new SelectOptionValue { Label = "Any status" });
        await page.GetByLabel("Workload").SelectOptionAsync(new SelectOptionValue { Label = "mistral-7b" });
        await page.FiltersAppliedAsync(); // applied as they change (issue 21)
        Assert.Contains("No token matches these filters", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync("tokens-no-match");

        await page.GetByLabel("Workload").SelectOptionAsync(new SelectOptionValue { Label = "llama-3" });
        await page.GetByLabel("Name contains").FillAsync("USER-1");
        await page.GetByLabel("Sort by").SelectOptionAsync(new SelectOptionValue { Label = "Name A–Z" });
        await page.FiltersAppliedAsync(); // applied as they change (issue 21)
        Assert.Equal(Enumerable.Range(10, 10).Select(i => $"user-{i}"), await rows.Locator("td[data-label=Name] a").AllInnerTextsAsync());

        await page.GetByLabel("Name contains").FillAsync("");
        await page.GetByLabel("Workload").SelectOptionAsync(new SelectOptionValue { Label = "Unassigned" });
        await page.FiltersAppliedAsync(); // applied as they change (issue 21)
        Assert.Equal(["parked"], await rows.Locator("td[data-label=Name] a").AllInnerTextsAsync());

        await page.GetByLabel("Workload").SelectOptionAsync(new SelectOptionValue { Label = "llama-3" });
        await page.GetByLabel("Sort by").SelectOptionAsync(new SelectOptionValue { Label = "Name A–Z" });
        await page.FiltersAppliedAsync(); // applied as they change (issue 21)
        await page.GetByRole(AriaRole.Link, new() { Name = "Next page" }).ClickAsync();
        Assert.Equal(["user-25", "user-26", "zed-cancelled"], await rows.Locator("td[data-label=Name] a").AllInnerTextsAsync());
        await page.AssertNoneAsync();
    }
}
