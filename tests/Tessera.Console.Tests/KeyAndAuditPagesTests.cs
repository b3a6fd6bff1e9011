using System.Net;
using System.Text.Json;
using Tessera.Console.Tests.Infrastructure;

namespace Tessera.Console.Tests;

/// <summary>
/// Issue 15 in the browser: the License keys page (list, create with scopes and workloads, the key shown once
/// with Copy, revoke with confirmation, the key in use marked), the Audit page (filters, before → after per
/// field), and a read-only key's console: no write controls, and a form posted by hand is refused (403) and
/// changes nothing.
/// </summary>
public sealed class KeyAndAuditPagesTests(ConsoleServer server) : IClassFixture<ConsoleServer>
{
    [Fact]
    public async Task Keys_are_created_with_scopes_shown_once_copied_revoked_after_confirmation_and_audited()
    {
        var (page, _) = await server.SignedInAsync();
        var workloadId = await page.CreateWorkloadAsync("llama-3");
        await page.CreateWorkloadAsync("mistral");

        await page.GetByRole(AriaRole.Link, new() { Name = "License keys" }).ClickAsync();
        var initial = page.Locator("#keys tbody tr", new() { HasText = "Initial key" });
        Assert.Contains("in use", await initial.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("all (*)", await initial.Locator("td[data-label=Scopes]").InnerTextAsync(), StringComparison.Ordinal);
        // The account's only key that manages every key offers no revoke.
        Assert.Equal(0, await initial.GetByRole(AriaRole.Link, new() { Name = "Revoke Initial key" }).CountAsync());

        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("billing job");
        await page.GetByLabel("tokens:read").CheckAsync();
        await page.GetByLabel("llama-3").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        var secret = await page.Locator("#key-value").InputValueAsync();
        Assert.Matches("^tsl_[0-9A-Za-z]{49}$", secret);
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy" }).ClickAsync();
        await Assertions.Expect(page.Locator("#copy-status")).ToHaveTextAsync("The license key is on your clipboard.");
        Assert.Equal(secret, await page.EvaluateAsync<string>("navigator.clipboard.readText()"));
        var row = page.Locator("#keys tbody tr", new() { HasText = "billing job" });
        Assert.Equal(["tokens:read", "llama-3", "never", "never"], [
            await row.Locator("td[data-label=Scopes]").InnerTextAsync(),
            await row.Locator("td[data-label=Workloads]").InnerTextAsync(),
            await row.Locator("td[data-label='Last used']").InnerTextAsync(),
            await row.Locator("td[data-label=Expires]").InnerTextAsync(),
        ]);
        await page.AssertLabelledAsync();
        await page.ScreenshotAsync("license-keys");

        // The key works, within what it was given.
        var tokens = await server.Http(secret).GetAsync($"/v1/tokens?workloadId={workloadId}");
        Assert.Equal(HttpStatusCode.OK, tokens.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Http(secret).GetAsync("/v1/workloads")).StatusCode);
        // Shown once: the page, reloaded, has no secret.
        await page.GotoAsync("/keys");
        Assert.Equal(0, await page.Locator("#key-value").CountAsync());
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);

        await row.GetByRole(AriaRole.Link, new() { Name = "Revoke billing job" }).ClickAsync();
        Assert.Contains("Revoke “billing job”?", await page.Locator("#confirm-revoke").InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke key" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("License key revoked");
        Assert.Contains("revoked", await page.Locator("#keys tbody tr", new() { HasText = "billing job" }).InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Http(secret).GetAsync("/v1/tokens")).StatusCode);

        // The Audit page: the revocation, filtered by action, read field by field.
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit" }).ClickAsync();
        await page.GetByLabel("Action").SelectOptionAsync("license_key.revoked");
        await page.FiltersAppliedAsync(); // applied as they change (issue 21)
        var entries = page.Locator("#audit tbody tr");
        await Assertions.Expect(entries).ToHaveCountAsync(1);
        Assert.Contains("Status: active → revoked", await entries.Locator("td[data-label=Change]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("console session", await entries.Locator("td[data-label=Who]").InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByLabel("Action").SelectOptionAsync("license_key.created");
        await page.FiltersAppliedAsync(); // applied as they change (issue 21)
        var created = page.Locator("#audit tbody tr", new() { HasText = "billing job" });
        Assert.Contains("Scopes: — → tokens:read", await created.InnerTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("{", await created.Locator("td[data-label=Change]").InnerTextAsync(), StringComparison.Ordinal);
        await page.AssertLabelledAsync();
        await page.ScreenshotAsync("audit");
        await page.AssertNoneAsync();
    }

    [Fact]
    public async Task A_read_only_key_sees_no_write_controls_and_a_form_posted_by_hand_is_refused_and_changes_nothing()
    {
        var owner = await server.NewAccountAsync("Read-only Co");
        var api = server.Http(owner);
        var workloadId = await api.CreateAsync("/v1/workloads", """{"name": "llama-3"}""");
        var tokenId = await api.CreateAsync("/v1/tokens", $$"""{"name": "alice", "workloadId": "{{workloadId}}"}""");
        var readOnly = JsonDocument.Parse(await (await api.PostAsync("/v1/license-keys",
                ApiCalls.Json("""{"name": "viewer", "scopes": ["tokens:read", "workloads:read"]}"""))).Content.ReadAsStringAsync())
            .RootElement.GetProperty("key").GetString()!;

        var page = await server.NewPageAsync();
        await page.SignInAsync(readOnly, landsOn: "/workloads"); // no usage:read: its first page, not the Dashboard
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = "Create workload" }).CountAsync());
        var nav = await page.Locator("nav.mainnav").InnerTextAsync();
        Assert.Contains("Tokens", nav, StringComparison.Ordinal);
        Assert.DoesNotContain("License keys", nav, StringComparison.Ordinal);
        Assert.DoesNotContain("Audit", nav, StringComparison.Ordinal);
        await page.GotoAsync($"/workloads/{workloadId}");
        Assert.Contains("alice", await page.Locator("#workload-tokens").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.GetByRole(AriaRole.Link, new() { Name = "Create token", Exact = true }).CountAsync());
        Assert.Equal(0, await page.Locator("form[method=post]:not(.inline)").CountAsync()); // only Sign out remains
        await page.GotoAsync("/tokens");
        Assert.Equal(0, await page.GetByRole(AriaRole.Link, new() { Name = "Create token", Exact = true }).CountAsync());
        await page.GotoAsync($"/tokens/{tokenId}");
        foreach (var control in new[] { "Save changes", "Cancel token", "Renew", "Set expiry", "Delete token" })
        {
            Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = control }).CountAsync());
        }
        await page.ScreenshotAsync("read-only-token");

        // Pages beyond the key answer 403.
        var keys = await page.GotoAsync("/keys");
        Assert.Equal(403, keys!.Status);
        Assert.Contains("keys:manage", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(403, (await page.GotoAsync("/tokens/new"))!.Status);

        // A form posted by hand, with this session's valid antiforgery token: 403, and the token is unchanged.
        await page.GotoAsync($"/tokens/{tokenId}");
        var antiforgery = await page.Locator("input[name=__antiforgery]").First.InputValueAsync();
        foreach (var (handler, fields) in new (string, Dictionary<string, string>)[]
                 {
                     ("Status", new() { ["status"] = "cancelled", ["version"] = "1" }),
                     ("Delete", new() { ["confirmName"] = "alice", ["version"] = "1" }),
                 })
        {
            var form = page.Context.APIRequest.CreateFormData();
            form.Set("__antiforgery", antiforgery);
            foreach (var (name, value) in fields)
            {
                form.Set(name, value);
            }
            var posted = await page.Context.APIRequest.PostAsync($"/tokens/{tokenId}?handler={handler}", new() { Form = form, MaxRedirects = 0 });
            Assert.Equal(403, posted.Status);
            Assert.Contains("tokens:write", await posted.TextAsync(), StringComparison.Ordinal);
        }
        var workloadForm = page.Context.APIRequest.CreateFormData();
        workloadForm.Set("__antiforgery", antiforgery);
        workloadForm.Set("name", "sneaky");
        Assert.Equal(403, (await page.Context.APIRequest.PostAsync("/workloads", new() { Form = workloadForm, MaxRedirects = 0 })).Status);

        var token = JsonDocument.Parse(await (await api.GetAsync($"/v1/tokens/{tokenId}")).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(("active", 1), (token.GetProperty("status").GetString(), token.GetProperty("version").GetInt32()));
        var workloads = JsonDocument.Parse(await (await api.GetAsync("/v1/workloads")).Content.ReadAsStringAsync()).RootElement.GetProperty("items");
        Assert.Equal(1, workloads.GetArrayLength());
        var refusals = JsonDocument.Parse(await (await api.GetAsync("/v1/audit?action=license_key.scope_refused")).Content.ReadAsStringAsync())
            .RootElement.GetProperty("items");
        Assert.True(refusals.GetArrayLength() >= 3, refusals.ToString());
    }

    [Fact]
    public async Task Audit_filters_apply_as_they_change_read_dates_as_utc_and_name_a_bad_value()
    {
        var (page, key) = await server.SignedInAsync();
        using var api = server.Http(key);
        await api.CreateAsync("/v1/workloads", """{"name":"llama-3"}""");
        await api.CreateAsync("/v1/tokens", """{"name":"alice"}""");
        await page.GotoAsync("/audit");
        var entries = page.Locator("#audit tbody tr");
        var from = page.GetByLabel("From (UTC)");
        var to = page.GetByLabel("To (UTC)");
        // Text fields in the one UTC form, not datetime-local (which shows the browser's locale and zone).
        Assert.Equal("text", await from.GetAttributeAsync("type"));
        Assert.Equal("text", await to.GetAttributeAsync("type"));
        Assert.Equal("UTC, as 2026-12-31 22:48 or a date.", await page.Locator("#from-help").InnerTextAsync());
        Assert.False(await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).IsVisibleAsync());

        await page.GetByLabel("Action").SelectOptionAsync("token.created");
        await page.FiltersAppliedAsync();
        await Assertions.Expect(entries).ToHaveCountAsync(1);
        Assert.Contains("action=token.created", page.Url, StringComparison.Ordinal);
        var at = DateTimeOffset.Parse((await entries.Locator("time").First.GetAttributeAsync("datetime"))!, System.Globalization.CultureInfo.InvariantCulture);
        var day = at.UtcDateTime.Date;
        string Day(DateTime d) => d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        // A date alone: "to" runs through the end of that day, "from" starts at its midnight; applied when the field is left.
        await to.FillAsync(Day(day));
        await to.PressAsync("Tab");
        await page.FiltersAppliedAsync();
        await Assertions.Expect(entries).ToHaveCountAsync(1);
        Assert.Equal($"Through the end of {day.ToString("d MMM yyyy", System.Globalization.CultureInfo.InvariantCulture)} (UTC).", await page.Locator("#to-help").InnerTextAsync());
        await from.FillAsync(Day(day.AddDays(1)) + " 00:00");
        await from.PressAsync("Enter");
        await page.FiltersAppliedAsync();
        await Assertions.Expect(page.Locator("#results")).ToContainTextAsync("Nothing recorded matches.");
        Assert.Equal($"Reads as {day.AddDays(1).ToString("d MMM yyyy", System.Globalization.CultureInfo.InvariantCulture)}, 00:00:00 UTC.",
            await page.Locator("#from-help").InnerTextAsync());
        await from.FillAsync(Day(day) + " 00:00");
        await from.PressAsync("Tab");
        await page.FiltersAppliedAsync();
        await Assertions.Expect(entries).ToHaveCountAsync(1);

        // The view is in the URL: pasted, it shows the same entries and fields.
        var shared = page.Url;
        await page.GotoAsync(shared);
        await Assertions.Expect(entries).ToHaveCountAsync(1);
        Assert.Equal(Day(day) + " 00:00", await from.InputValueAsync());

        // A value that does not read is named beside its field (the whole page opened), never a 500.
        await from.FillAsync("31/12/2026");
        await from.PressAsync("Tab");
        await Assertions.Expect(page.Locator("#from-error")).ToContainTextAsync("Give a date and time in UTC, as 2026-12-31 22:48, or a date.");
        Assert.Equal("true", await from.GetAttributeAsync("aria-invalid"));
        var response = await page.GotoAsync("/audit?to=tomorrow");
        Assert.Equal(200, response!.Status);
        Assert.Contains("Give a date and time", await page.Locator("#to-error").InnerTextAsync(), StringComparison.Ordinal);
        response = await page.GotoAsync("/audit?action=token.exploded");
        Assert.Equal(200, response!.Status);
        Assert.Contains("“token.exploded” is not an action", await page.Locator("#action-error").InnerTextAsync(), StringComparison.Ordinal);
        response = await page.GotoAsync("/audit?object=" + new string('x', 101));
        Assert.Equal(200, response!.Status);
        Assert.Contains("objectId: Must be an id of 1 to 100 characters.", await page.GetByRole(AriaRole.Alert).InnerTextAsync(), StringComparison.Ordinal);
        await page.AssertNoneAsync();
    }

    [Fact]
    public async Task Every_list_page_fits_a_390_px_phone_without_sideways_scrolling()
    {
        var (page, key) = await server.SignedInAsync();
        using var api = server.Http(key);
        var workload = await api.CreateAsync("/v1/workloads", """{"name":"a-workload-with-a-rather-long-name-for-a-phone"}""");
        var token = await api.CreateAsync("/v1/tokens", $$"""{"name":"a-token-with-a-long-name-that-needs-to-wrap","workloadId":"{{workload}}"}""");
        await api.PatchAsync($"/v1/tokens/{token}", ApiCalls.Json("""{"note":"changed, so the audit trail has a before and after"}"""));
        await api.CreateAsync("/v1/license-keys", """{"name":"billing","scopes":["tokens:read"]}""");

        await page.SetViewportSizeAsync(ConsoleServer.Phone.Width, ConsoleServer.Phone.Height);
        var wide = new List<string>();
        foreach (var path in new[]
                 {
                     "/dashboard", "/tokens", $"/tokens?cancel={token}", $"/tokens/{token}", "/workloads", $"/workloads/{workload}", "/keys",
                     "/audit", $"/audit?object={token}&from=2020-01-01", "/members", "/webhooks", "/profile",
                 })
        {
            await page.GotoAsync(path);
            var width = await page.ScrollWidthAsync();
            if (width > ConsoleServer.Phone.Width)
            {
                // Name the innermost elements that reach past the viewport, so a failure says what to fix.
                var past = await page.EvaluateAsync<string[]>("""
                    w => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 0.5 && ![...e.children].some(c => c.getBoundingClientRect().right > w + 0.5))
                        .slice(0, 5).map(e => `${e.tagName.toLowerCase()}#${e.id}.${[...e.classList].join('.')} right ${Math.round(e.getBoundingClientRect().right)}`)
                    """, ConsoleServer.Phone.Width);
                wide.Add($"{path}: {width} px ({string.Join("; ", past)})");
            }
        }
        Assert.True(wide.Count == 0, string.Join('\n', wide));
        await page.AssertNoneAsync();
    }
}
