using System.Net;
using System.Text.Json;
using Tessera.Console.Tests.Infrastructure;

namespace Tessera.Console.Tests;

/// <summary>
/// A console server allowed to deliver to a loopback receiver (AllowHttp, AllowPrivateNetworks), with no automatic
/// retries (a failed attempt is at once <c>failed</c>, so the page shows it without waiting on a schedule), and the
/// receiver: a real Kestrel server that checks signatures with the <c>StandardWebhooks</c> package.
/// </summary>
public sealed class WebhookConsoleServer : ConsoleServer
{
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string>
    {
        ["Tessera:Webhooks:AllowHttp"] = "true",
        ["Tessera:Webhooks:AllowPrivateNetworks"] = "true",
        ["Tessera:Webhooks:RetrySchedule"] = "",
    };

    public WebhookReceiver Receiver { get; private set; } = null!;

    public override async ValueTask InitializeAsync()
    {
        Receiver = await WebhookReceiver.StartAsync();
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Receiver.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// Issue 14 in the browser: the Webhooks pages (create with the secret shown once and copied, the address guard and
/// unknown types refused beside their fields, send test, the deliveries log, a failure, retry, rotation with two
/// signatures, settings changed, disable, delete), checked at a real receiver; and the pages refused to a key without webhooks:manage.
/// </summary>
public sealed class WebhookPagesTests(WebhookConsoleServer server) : IClassFixture<WebhookConsoleServer>
{
    private WebhookReceiver Receiver => server.Receiver;

    [Fact]
    public async Task An_endpoint_is_created_copied_tested_failed_retried_rotated_changed_disabled_and_deleted()
    {
        var (page, key) = await server.SignedInAsync("Hooks Co");
        using var api = server.Http(key);
        var path = Guid.NewGuid().ToString("N");
        var url = Receiver.Answer(path);

        await page.GetByRole(AriaRole.Link, new() { Name = "Webhooks" }).ClickAsync();
        Assert.Contains("No webhook endpoints yet", await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
        await page.AssertLabelledAsync();

        // Refusals are shown beside their fields, never as an error page: an address the guard refuses, no events.
        await page.GetByLabel("URL").FillAsync("http://0.0.0.0:9/hook");
        await page.GetByLabel("token.created").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add endpoint" }).ClickAsync();
        Assert.NotEqual("", await page.Locator("#url-error").InnerTextAsync());
        Assert.Equal("true", await page.GetByLabel("URL").GetAttributeAsync("aria-invalid"));
        Assert.True(await page.GetByLabel("token.created").IsCheckedAsync()); // the form keeps what was chosen
        await page.GetByLabel("URL").FillAsync("ftp://hooks.example.com/x");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add endpoint" }).ClickAsync();
        Assert.Contains("http", await page.Locator("#url-error").InnerTextAsync(), StringComparison.OrdinalIgnoreCase);
        await page.GetByLabel("URL").FillAsync(url);
        await page.GetByLabel("token.created").UncheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add endpoint" }).ClickAsync();
        Assert.NotEqual("", await page.Locator("#events-error").InnerTextAsync());
        await page.ScreenshotAsync("webhooks-refused");

        // An unknown event type, posted by hand (the page offers none): refused beside the field, not a 500.
        var antiforgery = await page.Locator("input[name=__antiforgery]").First.InputValueAsync();
        var form = page.Context.APIRequest.CreateFormData();
        form.Set("__antiforgery", antiforgery);
        form.Set("url", url);
        form.Append("events", "token.exploded");
        var posted = await page.Context.APIRequest.PostAsync("/webhooks?handler=Create", new() { Form = form, MaxRedirects = 0 });
        Assert.Equal(200, posted.Status);
        Assert.Contains("Unknown event type", await posted.TextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, JsonDocument.Parse(await api.GetStringAsync("/v1/webhooks")).RootElement.GetProperty("items").GetArrayLength());

        // Created: the secret shown once, copied to the clipboard.
        await page.GetByLabel("URL").FillAsync(url);
        await page.GetByLabel("Description").FillAsync("billing sync");
        await page.GetByLabel("token.created").CheckAsync();
        await page.GetByLabel("token.cancelled").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add endpoint" }).ClickAsync();
        var secret = await page.Locator("#secret-value").InputValueAsync();
        Assert.Matches("^whsec_[A-Za-z0-9+/]{43}=$", secret);
        Assert.Contains("only time", await page.GetByRole(AriaRole.Note).InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy" }).ClickAsync();
        await Assertions.Expect(page.Locator("#copy-status")).ToHaveTextAsync("The signing secret is on your clipboard.");
        var copied = await page.EvaluateAsync<string>("navigator.clipboard.readText()");
        Assert.Equal(secret, copied);
        Receiver.Trust(path, copied);
        var row = page.Locator("#webhooks tbody tr");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        Assert.Equal(["token.created, token.cancelled", "Enabled", "none yet"], [
            await row.Locator("td[data-label=Events]").InnerTextAsync(),
            await row.Locator("td[data-label=State]").InnerTextAsync(),
            await row.Locator("td[data-label='Last delivery']").InnerTextAsync(),
        ]);
        await page.AssertLabelledAsync();
        await page.ScreenshotAsync("webhooks-created");
        var id = await row.GetAttributeAsync("data-webhook-id");
        await page.GotoAsync("/webhooks");
        Assert.DoesNotContain(secret, await page.ContentAsync(), StringComparison.Ordinal);

        // A change it subscribes to reaches the receiver, signed with the copied secret.
        await api.CreateAsync("/v1/tokens", """{"name": "alice"}""");
        var created = await ReceivedAsync(path, r => r.Type == "token.created");
        Assert.Equal([copied], created.VerifiedBy);

        // Send test: the delivery in the log, succeeded with the receiver's 200; verified at the receiver.
        await row.GetByRole(AriaRole.Link, new() { Name = url }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Send test event" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Test event queued");
        var test = await LogRowAsync(page, "webhook.test", "Succeeded");
        Assert.Equal(["1", "200"], [await Cell(test, "Attempts"), await Cell(test, "Response")]);
        var received = await ReceivedAsync(path, r => r.Type == "webhook.test");
        Assert.Equal([copied], received.VerifiedBy);
        Assert.Equal(id, (string?)received.Json["data"]!["webhookId"]);
        await page.ScreenshotAsync("webhook-deliveries");

        // The receiver fails: the delivery is Failed with its 500, and offers Retry; healthy again, Retry succeeds.
        Receiver.Answer(path, status: 500, failures: 1_000_000);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send test event" }).ClickAsync();
        var failed = await LogRowAsync(page, "webhook.test", "Failed");
        Assert.Equal(["1", "500"], [await Cell(failed, "Attempts"), await Cell(failed, "Response")]);
        var deliveryId = await failed.GetAttributeAsync("data-delivery-id");
        await page.GotoAsync("/webhooks");
        Assert.StartsWith("Failed", await page.Locator("#webhooks td[data-label='Last delivery']").InnerTextAsync(), StringComparison.Ordinal);
        await page.GetByRole(AriaRole.Link, new() { Name = url }).ClickAsync();
        Receiver.Answer(path);
        await page.Locator($"tr[data-delivery-id='{deliveryId}']").GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("sent again");
        var retried = await LogRowAsync(page, "webhook.test", "Succeeded", deliveryId);
        Assert.Equal(["2", "200"], [await Cell(retried, "Attempts"), await Cell(retried, "Response")]);
        Assert.Equal(0, await retried.GetByRole(AriaRole.Button, new() { Name = "Retry" }).CountAsync());
        // The same event twice at the receiver (same webhook-id), both signed with the copied secret.
        var attempts = Receiver.To(path).Where(r => r.Id == Receiver.To(path)[^1].Id).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.All(attempts, a => Assert.Equal([copied], a.VerifiedBy));

        // Rotation: a new secret, shown once; for 24 h each delivery is signed with both.
        await page.GetByRole(AriaRole.Button, new() { Name = "Rotate secret" }).ClickAsync();
        var rotated = await page.Locator("#secret-value").InputValueAsync();
        Assert.Matches("^whsec_", rotated);
        Assert.NotEqual(copied, rotated);
        Assert.Contains("24 hours", await page.GetByRole(AriaRole.Note).InnerTextAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync("webhook-rotated");
        Receiver.Trust(path, copied, rotated);
        var before = Receiver.To(path).Count;
        await page.GetByRole(AriaRole.Button, new() { Name = "Send test event" }).ClickAsync();
        var signedTwice = await ReceivedAsync(path, _ => Receiver.To(path).Count > before);
        // StandardWebhooks 1.1.2 checks only the first of several signatures: it vouches for the new secret's, which
        // comes first; the old one's is checked with the specification's formula written out in the tests.
        Assert.Equal([rotated], signedTwice.VerifiedBy);
        var signatures = signedTwice.Signature.Split(' ');
        Assert.Equal([WebhookSignatures.Of(rotated, signedTwice), WebhookSignatures.Of(copied, signedTwice)], signatures);

        // Settings: events and description changed; a URL the guard refuses is shown beside its field and changes nothing.
        var settings = page.Locator("#endpoint-settings");
        await page.GetByText("Change settings…").ClickAsync();
        await settings.GetByLabel("Description").FillAsync("billing and CRM");
        await settings.GetByLabel("token.cancelled").UncheckAsync();
        await settings.GetByLabel("token.renewed").CheckAsync();
        await page.AssertLabelledAsync();
        await settings.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Changes saved");
        Assert.Equal("token.created, token.renewed", await page.Locator("#endpoint-events").InnerTextAsync());
        await page.GetByText("Change settings…").ClickAsync();
        await settings.GetByLabel("URL").FillAsync("http://0.0.0.0:9/hook");
        await settings.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        Assert.NotEqual("", await page.Locator("#url-error").InnerTextAsync());
        Assert.Equal("http://0.0.0.0:9/hook", await settings.GetByLabel("URL").InputValueAsync()); // kept as typed, to correct
        await page.ScreenshotAsync("webhook-settings-refused");
        var stored = JsonDocument.Parse(await api.GetStringAsync($"/v1/webhooks/{id}")).RootElement;
        Assert.Equal((url, "billing and CRM"), (stored.GetProperty("url").GetString(), stored.GetProperty("description").GetString()));
        await page.GotoAsync($"/webhooks/{id}");

        // A change made elsewhere after the page was drawn is reported, not overwritten.
        var elsewhere = await api.PatchAsync($"/v1/webhooks/{id}", ApiCalls.Json("""{"description": "changed elsewhere"}"""));
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
        await page.GetByRole(AriaRole.Button, new() { Name = "Disable endpoint" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("changed elsewhere (another tab or the API)");
        Assert.True(JsonDocument.Parse(await api.GetStringAsync($"/v1/webhooks/{id}")).RootElement.GetProperty("enabled").GetBoolean());

        // Disabled: the badge says so, and a change made meanwhile is not queued for it.
        await page.GetByRole(AriaRole.Button, new() { Name = "Disable endpoint" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Endpoint disabled");
        Assert.Equal("Disabled", await page.Locator("h1 .badge").InnerTextAsync());
        var logged = await page.Locator("#delivery-log tbody tr").CountAsync();
        await api.CreateAsync("/v1/tokens", """{"name": "bob"}""");
        await page.ReloadAsync();
        Assert.Equal(logged, await page.Locator("#delivery-log tbody tr").CountAsync());
        var endpoint = JsonDocument.Parse(await api.GetStringAsync($"/v1/webhooks/{id}")).RootElement;
        Assert.False(endpoint.GetProperty("enabled").GetBoolean());
        await page.GetByRole(AriaRole.Button, new() { Name = "Enable endpoint" }).ClickAsync();
        Assert.Equal("Enabled", await page.Locator("h1 .badge").InnerTextAsync());

        // Deleted after confirmation.
        await page.GetByRole(AriaRole.Link, new() { Name = "Delete endpoint…" }).ClickAsync();
        Assert.Contains("Delete this endpoint?", await page.Locator("#confirm-delete").InnerTextAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync("webhook-delete");
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete endpoint" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Webhook endpoint deleted");
        Assert.Equal(0, await page.Locator("#webhooks tbody tr").CountAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/v1/webhooks/{id}")).StatusCode);
        await page.AssertNoneAsync(); // before the 404, which the browser logs as a failed load
        Assert.Equal(404, (await page.GotoAsync($"/webhooks/{id}"))!.Status);

        // Audited as the API audits, by this console session, and never with a secret.
        var audit = JsonDocument.Parse(await api.GetStringAsync($"/v1/audit?objectId={id}&limit=50")).RootElement.GetProperty("items");
        var actions = audit.EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToHashSet();
        Assert.Equal(new HashSet<string?> { "webhook.created", "webhook.updated", "webhook.secret_rotated", "webhook.deleted" }, actions);
        // Every entry by the console session, but the one change made through the API meanwhile.
        Assert.Equal(["license_key"], audit.EnumerateArray().Select(e => e.GetProperty("actorType").GetString()).Where(a => a != "console_session"));
        Assert.DoesNotContain(copied["whsec_".Length..], audit.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(rotated["whsec_".Length..], audit.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_without_webhooks_manage_or_bound_to_workloads_sees_no_webhooks_and_is_refused()
    {
        var owner = await server.NewAccountAsync("No Hooks Co");
        using var api = server.Http(owner);
        var workloadId = await api.CreateAsync("/v1/workloads", """{"name": "llama-3"}""");
        var readOnly = await KeyAsync(api, """{"name": "reader", "scopes": ["tokens:read", "workloads:read"]}""");
        var bound = await KeyAsync(api, $$"""{"name": "bound", "scopes": ["*"], "workloadIds": ["{{workloadId}}"]}""");
        // Created last: from here on, nothing these sessions do may queue a delivery to it.
        var path = Guid.NewGuid().ToString("N");
        var id = await api.CreateAsync("/v1/webhooks", $$"""{"url": "{{Receiver.Answer(path)}}", "events": ["*"]}""");

        // Sign-in lands on the dashboard for a key that may read usage, else on the first page the key may see.
        foreach (var (key, needed, home) in new[] { (readOnly, "webhooks:manage", "/workloads"), (bound, "bound to workloads", "/dashboard") })
        {
            var page = await server.NewPageAsync();
            await page.SignInAsync(key, home);
            Assert.DoesNotContain("Webhooks", await page.Locator("nav.mainnav").InnerTextAsync(), StringComparison.Ordinal);
            await page.AssertNoneAsync(); // before the refusals, which the browser logs as failed loads
            var list = await page.GotoAsync("/webhooks");
            Assert.Equal(403, list!.Status);
            Assert.Contains(needed, await page.Locator("main").InnerTextAsync(), StringComparison.Ordinal);
            Assert.Equal(403, (await page.GotoAsync($"/webhooks/{id}"))!.Status);

            // A test event posted by hand with this session's antiforgery token: refused, and nothing is queued.
            await page.GotoAsync("/tokens");
            var form = page.Context.APIRequest.CreateFormData();
            form.Set("__antiforgery", await page.Locator("input[name=__antiforgery]").First.InputValueAsync());
            var posted = await page.Context.APIRequest.PostAsync($"/webhooks/{id}?handler=Test", new() { Form = form, MaxRedirects = 0 });
            Assert.Equal(403, posted.Status);
            await page.ScreenshotAsync("webhooks-refused-" + (key == bound ? "bound" : "read-only"));
        }
        var deliveries = JsonDocument.Parse(await api.GetStringAsync($"/v1/webhooks/{id}/deliveries")).RootElement.GetProperty("items");
        Assert.Equal(0, deliveries.GetArrayLength());
        Assert.Empty(Receiver.To(path));
    }

    private static async Task<string> KeyAsync(HttpClient api, string json)
    {
        var response = await api.PostAsync("/v1/license-keys", ApiCalls.Json(json));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;
    }

    /// <summary>The newest request to <paramref name="path"/> that matches, once it has come (the worker runs on its own).</summary>
    private async Task<WebhookReceiver.Received> ReceivedAsync(string path, Func<WebhookReceiver.Received, bool> match)
    {
        var (found, _) = await Poll.UntilAsync(() => Task.FromResult(Receiver.To(path).LastOrDefault(match)), r => r is not null,
            TimeSpan.FromSeconds(30));
        Assert.NotNull(found);
        return found;
    }

    /// <summary>
    /// Reloads the endpoint page until the newest delivery of <paramref name="type"/> (or the delivery <paramref name="deliveryId"/>)
    /// shows <paramref name="status"/>; returns its row. The log is read as a person reads it: by opening the page again.
    /// </summary>
    private static async Task<ILocator> LogRowAsync(IPage page, string type, string status, string? deliveryId = null)
    {
        var row = deliveryId is null
            ? page.Locator("#delivery-log tbody tr", new() { HasText = type }).First
            : page.Locator($"#delivery-log tbody tr[data-delivery-id='{deliveryId}']");
        var here = new Uri(page.Url).AbsolutePath;
        var (shown, _) = await Poll.UntilAsync(async () =>
        {
            await page.GotoAsync(here);
            return await row.CountAsync() == 1 ? await Cell(row, "Status") : null;
        }, s => s == status, TimeSpan.FromSeconds(30));
        Assert.Equal(status, shown);
        return row;
    }

    private static Task<string> Cell(ILocator row, string label) => row.Locator($"td[data-label='{label}']").InnerTextAsync();
}
