using System.Net;
using Tessera.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Webhooks;

/// <summary>
/// API.md §7, <c>/v1/webhooks</c> on a server with the default destination rules (https and public addresses
/// only): the secret shown once, the endpoint's life, and every bad input a 4xx problem that changes nothing.
/// </summary>
public abstract class WebhookApiTests(TesseraApp app)
{
    public sealed class OnSqlite(TesseraApp app) : WebhookApiTests(app), IClassFixture<TesseraApp>;

    public sealed class OnPostgres(PostgresTesseraApp app) : WebhookApiTests(app.Require()), IClassFixture<PostgresTesseraApp>;

    // A documentation address would be refused too; a public literal is accepted without any DNS lookup.
    private const string PublicUrl = "https://8.8.8.8/hooks/tessera";

    [Fact]
    public async Task The_secret_is_shown_once_and_the_endpoint_can_be_read_listed_changed_and_deleted()
    {
        var account = await app.NewAccountAsync();
        var created = await account.CreateWebhookAsync(PublicUrl, "token.cancelled", "token.created");

        Assert.StartsWith("wh_", created.Id, StringComparison.Ordinal);
        Assert.StartsWith("whsec_", created.Secret, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(created.Secret["whsec_".Length..]).Length);
        // Stored in the order of API.md §7, whatever order they were asked in.
        Assert.Equal(["token.created", "token.cancelled"], created.Events);
        Assert.True(created.Enabled);
        var read = await (await account.Client.GetAsync($"/v1/webhooks/{created.Id}")).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.DoesNotContain(created.Secret, read, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", read, StringComparison.OrdinalIgnoreCase);

        var patched = await (await account.Client.PatchJsonAsync($"/v1/webhooks/{created.Id}",
            new { events = new[] { "*" }, description = "billing", enabled = false })).ReadAsync<WebhookResponse>();
        Assert.Equal(("*", "billing", false, 2L), (patched.Events.Single(), patched.Description, patched.Enabled, patched.Version));
        Assert.Equivalent(patched, await account.GetWebhookAsync(created.Id), strict: true);
        var list = await (await account.Client.GetAsync("/v1/webhooks")).ReadAsync<PageResponse<WebhookResponse>>();
        Assert.Equal([created.Id], list.Items.Select(w => w.Id));

        var rotated = await (await account.Client.PostAsync($"/v1/webhooks/{created.Id}/rotate-secret", null, TestContext.Current.CancellationToken))
            .ReadAsync<CreatedWebhookResponse>();
        Assert.NotEqual(created.Secret, rotated.Secret);
        Assert.StartsWith("whsec_", rotated.Secret, StringComparison.Ordinal);

        // One instant on the test clock: the order within it is the ids', so compare the set.
        var actions = (await account.AuditAsync($"?objectId={created.Id}")).Items.Select(e => e.Action).Order();
        Assert.Equal(["webhook.created", "webhook.secret_rotated", "webhook.updated"], actions);
        var trail = await (await account.Client.GetAsync($"/v1/audit?objectId={created.Id}")).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.DoesNotContain(created.Secret, trail, StringComparison.Ordinal);
        Assert.DoesNotContain(rotated.Secret, trail, StringComparison.Ordinal);

        await account.Client.DeleteAsync($"/v1/webhooks/{created.Id}", TestContext.Current.CancellationToken).EnsureAsync(HttpStatusCode.NoContent);
        await (await account.Client.GetAsync($"/v1/webhooks/{created.Id}")).ProblemAsync(HttpStatusCode.NotFound, "webhook_not_found");
    }

    [Fact]
    public async Task If_match_guards_delete_as_it_guards_a_patch()
    {
        var account = await app.NewAccountAsync();
        var created = await account.CreateWebhookAsync(PublicUrl, "token.cancelled");
        await account.Client.PatchJsonAsync($"/v1/webhooks/{created.Id}", new { description = "v2" }).EnsureAsync(HttpStatusCode.OK);

        await (await account.Client.SendRawAsync(HttpMethod.Delete, $"/v1/webhooks/{created.Id}", null, ifMatch: "\"1\""))
            .ProblemAsync(HttpStatusCode.PreconditionFailed, "precondition_failed");
        Assert.Equal(("v2", 2L), ((await account.GetWebhookAsync(created.Id)).Description, (await account.GetWebhookAsync(created.Id)).Version));

        await account.Client.SendRawAsync(HttpMethod.Delete, $"/v1/webhooks/{created.Id}", null, ifMatch: "\"2\"").EnsureAsync(HttpStatusCode.NoContent);
        await (await account.Client.GetAsync($"/v1/webhooks/{created.Id}")).ProblemAsync(HttpStatusCode.NotFound, "webhook_not_found");
    }

    [Fact]
    public async Task Another_accounts_endpoint_answers_404_everywhere()
    {
        var owner = await app.NewAccountAsync("Owner");
        var other = await app.NewAccountAsync("Other");
        var endpoint = await owner.CreateWebhookAsync(PublicUrl);

        await (await other.Client.GetAsync($"/v1/webhooks/{endpoint.Id}")).ProblemAsync(HttpStatusCode.NotFound, "webhook_not_found");
        await (await other.Client.PatchJsonAsync($"/v1/webhooks/{endpoint.Id}", new { enabled = false })).ProblemAsync(HttpStatusCode.NotFound, "webhook_not_found");
        await (await other.Client.PostAsync($"/v1/webhooks/{endpoint.Id}/test", null, TestContext.Current.CancellationToken))
            .ProblemAsync(HttpStatusCode.NotFound, "webhook_not_found");
        await (await other.Client.PostAsync($"/v1/webhooks/{endpoint.Id}/rotate-secret", null, TestContext.Current.CancellationToken))
            .ProblemAsync(HttpStatusCode.NotFound, "webhook_not_found");
        await (await other.Client.GetAsync($"/v1/webhooks/{endpoint.Id}/deliveries")).ProblemAsync(HttpStatusCode.NotFound, "webhook_not_found");
        await (await other.Client.DeleteAsync($"/v1/webhooks/{endpoint.Id}", TestContext.Current.CancellationToken))
            .ProblemAsync(HttpStatusCode.NotFound, "webhook_not_found");
        Assert.Empty((await (await other.Client.GetAsync("/v1/webhooks")).ReadAsync<PageResponse<WebhookResponse>>()).Items);
        Assert.Equal(endpoint.Url, (await owner.GetWebhookAsync(endpoint.Id)).Url);
    }

    [Theory]
    [InlineData("http://8.8.8.8/hook")] // http without AllowHttp
    [InlineData("https://127.0.0.1/hook")]
    [InlineData("https://localhost/hook")] // a name that resolves to loopback
    [InlineData("https://10.1.2.3/hook")]
    [InlineData("https://172.16.0.1/hook")]
    [InlineData("https://192.168.1.1/hook")]
    [InlineData("https://169.254.169.254/latest/meta-data")] // cloud metadata (link-local)
    [InlineData("https://100.64.0.1/hook")]
    [InlineData("https://0.0.0.0/hook")]
    [InlineData("https://[::1]/hook")]
    [InlineData("https://[::ffff:127.0.0.1]/hook")] // IPv4-mapped loopback
    [InlineData("https://[::ffff:10.0.0.1]/hook")]
    [InlineData("https://[fe80::1]/hook")]
    [InlineData("https://[fd00:ec2::254]/hook")] // unique local (AWS's IPv6 metadata)
    [InlineData("https://[64:ff9b::a9fe:a9fe]/hook")] // NAT64 of 169.254.169.254
    [InlineData("https://2130706433/hook")] // 127.0.0.1 spelled as one number
    public async Task Forbidden_destinations_are_refused_with_webhook_url_forbidden_and_nothing_is_created(string url)
    {
        var account = await app.NewAccountAsync();
        var problem = await (await account.Client.PostJsonAsync("/v1/webhooks", new CreateWebhookRequest(url, ["*"])))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "webhook_url_forbidden");
        Assert.True(problem.Errors!.ContainsKey("url"));
        Assert.Empty((await (await account.Client.GetAsync("/v1/webhooks")).ReadAsync<PageResponse<WebhookResponse>>()).Items);

        // Nor can an existing endpoint be pointed there.
        var endpoint = await account.CreateWebhookAsync(PublicUrl);
        await (await account.Client.PatchJsonAsync($"/v1/webhooks/{endpoint.Id}", new { url }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "webhook_url_forbidden");
        Assert.Equal(PublicUrl, (await account.GetWebhookAsync(endpoint.Id)).Url);
    }

    [Fact]
    public async Task Bad_fields_are_4xx_problems_with_codes_and_change_nothing()
    {
        var account = await app.NewAccountAsync();
        var endpoint = await account.CreateWebhookAsync(PublicUrl, "token.created");
        async Task Refused(object body, string code, string? field = null)
        {
            var problem = await (await account.Client.PostJsonAsync("/v1/webhooks", body)).ProblemAsync(HttpStatusCode.UnprocessableEntity, code);
            if (field is not null)
            {
                Assert.True(problem.Errors!.ContainsKey(field), field);
            }
        }

        await Refused(new { url = PublicUrl, events = new[] { "token.created", "token.exploded" } }, "unknown_event_type", "events");
        await Refused(new { url = PublicUrl, events = Array.Empty<string>() }, "validation_failed", "events");
        await Refused(new { url = PublicUrl }, "validation_failed", "events");
        await Refused(new { events = new[] { "*" } }, "validation_failed", "url");
        await Refused(new { url = "not a url", events = new[] { "*" } }, "validation_failed", "url");
        await Refused(new { url = "ftp://8.8.8.8/x", events = new[] { "*" } }, "validation_failed", "url");
        await Refused(new { url = "https://user:pass@8.8.8.8/x", events = new[] { "*" } }, "validation_failed", "url");
        await Refused(new { url = PublicUrl, events = "*" }, "validation_failed", "events");
        await Refused(new { url = PublicUrl, events = new[] { "*" }, secret = "whsec_x" }, "validation_failed");
        await Refused(new { url = PublicUrl + "/" + new string('a', 2001), events = new[] { "*" } }, "validation_failed", "url");
        await (await account.Client.PatchJsonAsync($"/v1/webhooks/{endpoint.Id}", new { events = new[] { "nope" } }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "unknown_event_type");
        await (await account.Client.PatchJsonAsync($"/v1/webhooks/{endpoint.Id}", new { enabled = "yes" }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await account.Client.PatchJsonAsync($"/v1/webhooks/{endpoint.Id}", new { url = (string?)null }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await account.Client.SendRawAsync(HttpMethod.Post, "/v1/webhooks", "{\"url\":")).ProblemAsync(HttpStatusCode.BadRequest, "invalid_json");
        await (await account.Client.GetAsync("/v1/webhooks/wh_nope")).ProblemAsync(HttpStatusCode.NotFound, "webhook_not_found");
        await (await account.Client.GetAsync("/v1/webhooks?limit=0")).ProblemAsync(HttpStatusCode.BadRequest, "invalid_query");
        await (await account.Client.GetAsync("/v1/webhooks?cursor=bogus")).ProblemAsync(HttpStatusCode.BadRequest, "invalid_cursor");
        await (await account.Client.PostAsync($"/v1/webhooks/{endpoint.Id}/deliveries/dlv_nope/retry", null, TestContext.Current.CancellationToken))
            .ProblemAsync(HttpStatusCode.NotFound, "delivery_not_found");

        var list = await (await account.Client.GetAsync("/v1/webhooks")).ReadAsync<PageResponse<WebhookResponse>>();
        Assert.Equal([endpoint.Id], list.Items.Select(w => w.Id));
        Assert.Equal(["token.created"], list.Items.Single().Events);
        Assert.Equal(1, list.Items.Single().Version);
    }

    [Fact]
    public async Task A_thousand_endpoints_page_through_and_the_next_one_is_refused()
    {
        var account = await app.NewAccountAsync();
        for (var i = 0; i < 1_000; i++)
        {
            await account.CreateWebhookAsync($"https://8.8.8.8/hooks/{i}", "token.deleted");
        }
        await (await account.Client.PostJsonAsync("/v1/webhooks", new CreateWebhookRequest(PublicUrl, ["*"])))
            .ProblemAsync(HttpStatusCode.Conflict, "webhook_limit_reached");

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await account.Client.GetAsync($"/v1/webhooks?limit=200{(cursor is null ? "" : "&cursor=" + cursor)}"))
                .ReadAsync<PageResponse<WebhookResponse>>();
            seen.AddRange(page.Items.Select(w => w.Url));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        Assert.Equal(1_000, seen.Distinct().Count());
    }
}
