using System.Net;
using System.Text.Json.Nodes;
using Tessera.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Webhooks;

/// <summary>
/// API.md §7's delivery, end to end: changes through the API, the server's worker, a real receiver on loopback
/// that checks every signature with the <c>StandardWebhooks</c> package. Each test has its own account and paths.
/// </summary>
public abstract class WebhookDeliveryTests(WebhookServer server)
{
    public sealed class OnSqlite(WebhookServer.OnSqlite server) : WebhookDeliveryTests(server), IClassFixture<WebhookServer.OnSqlite>;

    public sealed class OnPostgres(WebhookServer.OnPostgres server) : WebhookDeliveryTests(server.Require()), IClassFixture<WebhookServer.OnPostgres>;

    private TesseraApp App => server.App;

    private WebhookReceiver Receiver => server.Receiver;

    private const int WebhookDispatcherLane = 4;

    private static string Name() => Guid.NewGuid().ToString("N");

    private Task<(TestAccount Account, CreatedWebhookResponse Endpoint, string Path)> SubscribedAsync(int status = 200, int failures = 0,
        params string[] events) => server.SubscribedAsync(status, failures, events);

    [Fact]
    public async Task Token_changes_arrive_signed_as_the_specification_says_with_the_token_as_the_api_shows_it()
    {
        var (account, endpoint, path) = await SubscribedAsync();
        var token = await account.CreateTokenAsync("alice", note: "vip");
        await account.PatchTokenAsync(token.Id, new { status = "cancelled" });
        await server.DeliverAsync();

        // Delivered concurrently, in no guaranteed order (API.md §7).
        var received = Receiver.To(path).OrderBy(r => r.Type == "token.cancelled").ToList();
        Assert.Equal(["token.created", "token.cancelled"], received.Select(r => r.Type));
        Assert.All(received, r => Assert.Equal([endpoint.Secret], r.VerifiedBy));
        Assert.All(received, r => Assert.StartsWith("evt_", r.Id, StringComparison.Ordinal));
        Assert.Equal(2, received.Select(r => r.Id).Distinct().Count());
        var cancelled = received[1].Json;
        var api = await (await account.Client.GetAsync($"/v1/tokens/{token.Id}")).JsonObjectAsync();
        api["accountId"] = account.Id;
        Assert.True(JsonNode.DeepEquals(api, cancelled["data"]), $"{api.ToJsonString()}\n{cancelled["data"]!.ToJsonString()}");
        Assert.Equal(App.Time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), received[1].Timestamp);
        Assert.DoesNotContain(token.Token, string.Concat(received.Select(r => r.Body)), StringComparison.Ordinal);

        var log = await account.DeliveriesAsync(endpoint.Id);
        Assert.All(log.Items, d => Assert.Equal(("succeeded", 1, 200), (d.Status, d.Attempts, d.LastResponseStatus)));
        Assert.Equal(received.Select(r => r.Id).Order(), log.Items.Select(d => d.EventId).Order());
    }

    [Fact]
    public async Task Only_subscribed_types_of_the_own_account_are_delivered_and_refused_changes_send_nothing()
    {
        var (account, _, path) = await SubscribedAsync(events: ["token.deleted", "workload.updated"]);
        var bystander = await App.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama");
        await account.CreateWorkloadAsync("mistral");
        var token = await account.CreateTokenAsync("bob", workload.Id);
        await bystander.CreateTokenAsync("eve");
        // A rename to a taken name is refused and rolled back: no event.
        await (await account.Client.PatchJsonAsync($"/v1/workloads/{workload.Id}", new { name = "mistral" }))
            .ProblemAsync(HttpStatusCode.Conflict, "workload_name_taken");
        await (await account.Client.PatchJsonAsync($"/v1/workloads/{workload.Id}", new { name = "llama-3" })).ReadAsync<WorkloadResponse>();
        await account.Client.DeleteAsync($"/v1/tokens/{token.Id}", TestContext.Current.CancellationToken).EnsureAsync(HttpStatusCode.NoContent);
        await server.DeliverAsync();

        var received = Receiver.To(path);
        // Delivered in no guaranteed order (API.md §7).
        Assert.Equal(["token.deleted", "workload.updated"], received.Select(r => r.Type).Order());
        Assert.Equal("llama-3", (string)received.Single(r => r.Type == "workload.updated").Json["data"]!["name"]!);
        Assert.Equal(token.Id, (string)received.Single(r => r.Type == "token.deleted").Json["data"]!["id"]!);
    }

    [Fact]
    public async Task Deleting_a_workload_sends_token_unassigned_for_each_of_its_tokens()
    {
        var (account, _, path) = await SubscribedAsync(events: ["token.unassigned", "workload.deleted"]);
        var workload = await account.CreateWorkloadAsync("llama");
        var a = await account.CreateTokenAsync("a", workload.Id);
        var b = await account.CreateTokenAsync("b", workload.Id);
        await account.Client.DeleteAsync($"/v1/workloads/{workload.Id}", TestContext.Current.CancellationToken).EnsureAsync(HttpStatusCode.NoContent);
        await server.DeliverAsync();

        var received = Receiver.To(path);
        Assert.Equal(["token.unassigned", "token.unassigned", "workload.deleted"], received.Select(r => r.Type).Order());
        var unassigned = received.Where(r => r.Type == "token.unassigned").Select(r => r.Json["data"]!).ToList();
        Assert.Equal(new[] { a.Id, b.Id }.Order(), unassigned.Select(d => (string)d["id"]!).Order());
        Assert.All(unassigned, d => Assert.Null(d["workloadId"]));
        Assert.All(unassigned, d => Assert.Equal("unassigned", (string)d["state"]!));
    }

    [Fact]
    public async Task A_receiver_down_for_three_attempts_gets_the_event_once_more_with_the_same_id()
    {
        var (account, endpoint, path) = await SubscribedAsync(status: 503, failures: 3, events: "token.created");
        await account.CreateTokenAsync("carol");

        foreach (var wait in new[] { 0, 1, 2, 3 })
        {
            App.Time.Advance(TimeSpan.FromSeconds(wait));
            await server.DeliverAsync();
        }
        App.Time.Advance(TimeSpan.FromSeconds(30));
        await server.DeliverAsync();

        var received = Receiver.To(path);
        Assert.Equal(4, received.Count);
        Assert.Single(received.Select(r => r.Id).Distinct());
        Assert.All(received, r => Assert.Equal([endpoint.Secret], r.VerifiedBy));
        var delivery = (await account.DeliveriesAsync(endpoint.Id)).Items.Single();
        Assert.Equal(("succeeded", 4, 200, (DateTimeOffset?)null), (delivery.Status, delivery.Attempts, delivery.LastResponseStatus, delivery.NextAttemptAt));
    }

    [Fact]
    public async Task A_receiver_that_never_recovers_ends_failed_after_the_schedule_and_a_manual_retry_sends_it_again()
    {
        var (account, endpoint, path) = await SubscribedAsync(status: 500, failures: 100, events: "token.created");
        await account.CreateTokenAsync("dave");
        await server.DeliverAsync();
        var pending = (await account.DeliveriesAsync(endpoint.Id)).Items.Single();
        Assert.Equal(("pending", 1, 500), (pending.Status, pending.Attempts, pending.LastResponseStatus));
        Assert.Equal(Core.Instants.Now(App.Time).AddSeconds(1), pending.NextAttemptAt);

        foreach (var wait in new[] { 1, 2, 3 })
        {
            App.Time.Advance(TimeSpan.FromSeconds(wait));
            await server.DeliverAsync();
        }
        var failed = (await account.DeliveriesAsync(endpoint.Id)).Items.Single();
        Assert.Equal(("failed", 4, (DateTimeOffset?)null), (failed.Status, failed.Attempts, failed.NextAttemptAt));
        App.Time.Advance(TimeSpan.FromMinutes(1));
        await server.DeliverAsync();
        Assert.Equal(4, Receiver.To(path).Count);

        var retried = await (await account.Client.PostAsync($"/v1/webhooks/{endpoint.Id}/deliveries/{failed.Id}/retry", null,
            TestContext.Current.CancellationToken)).ReadAsync<WebhookDeliveryResponse>(HttpStatusCode.Accepted);
        Assert.Equal("pending", retried.Status);
        await server.DeliverAsync();
        Assert.Equal(5, Receiver.To(path).Count);
        Assert.Single(Receiver.To(path).Select(r => r.Id).Distinct());
    }

    [Fact]
    public async Task Redirects_are_not_followed()
    {
        var account = await App.NewAccountAsync();
        var target = Name();
        var redirecting = Name();
        Receiver.Answer(target);
        var endpoint = await account.CreateWebhookAsync(Receiver.Answer(redirecting, redirectTo: $"{Receiver.BaseUrl}/{target}"));
        await (await account.Client.PostAsync($"/v1/webhooks/{endpoint.Id}/test", null, TestContext.Current.CancellationToken))
            .ReadAsync<WebhookDeliveryResponse>(HttpStatusCode.Accepted);
        await server.DeliverAsync();

        Assert.Single(Receiver.To(redirecting));
        Assert.Empty(Receiver.To(target));
        var delivery = (await account.DeliveriesAsync(endpoint.Id)).Items.Single();
        Assert.Equal(("webhook.test", "pending", 307), (delivery.Type, delivery.Status, delivery.LastResponseStatus));
    }

    [Fact]
    public async Task A_refused_connection_is_a_failed_attempt_without_a_status()
    {
        var account = await App.NewAccountAsync();
        // A port nothing listens on: bind one, note it, release it.
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var endpoint = await account.CreateWebhookAsync($"http://127.0.0.1:{port}/hook");
        await (await account.Client.PostAsync($"/v1/webhooks/{endpoint.Id}/test", null, TestContext.Current.CancellationToken))
            .ReadAsync<WebhookDeliveryResponse>(HttpStatusCode.Accepted);
        await server.DeliverAsync();

        var delivery = (await account.DeliveriesAsync(endpoint.Id)).Items.Single();
        Assert.Equal(("pending", 1, (int?)null), (delivery.Status, delivery.Attempts, delivery.LastResponseStatus));
    }

    [Fact]
    public async Task A_hanging_receiver_times_out_at_15_seconds_and_does_not_delay_a_healthy_one()
    {
        var account = await App.NewAccountAsync();
        var (dead, healthy) = (Name(), Name());
        var deadEndpoint = await account.CreateWebhookAsync(Receiver.Answer(dead, hang: true), "token.created");
        var healthyEndpoint = await account.CreateWebhookAsync(Receiver.Answer(healthy), "token.created");
        Receiver.Trust(healthy, healthyEndpoint.Secret);
        // As many as one endpoint may have in flight: the dead one's lane is full, the healthy one's is not touched.
        for (var i = 0; i < WebhookDispatcherLane; i++)
        {
            await account.CreateTokenAsync($"t{i}");
        }

        try
        {
            var delivering = server.DeliverAsync();
            var (arrived, _) = await Poll.UntilAsync(() => Task.FromResult(Receiver.To(healthy).Count), n => n == WebhookDispatcherLane);
            Assert.Equal(WebhookDispatcherLane, arrived);
            // The healthy endpoint got them all, and answered, while the dead one still holds every request open (no clock moved).
            var (succeeded, _) = await Poll.UntilAsync(
                async () => (await account.DeliveriesAsync(healthyEndpoint.Id)).Items.Count(d => d.Status == "succeeded"), n => n == WebhookDispatcherLane);
            Assert.Equal(WebhookDispatcherLane, succeeded);
            var (hanging, _) = await Poll.UntilAsync(() => Task.FromResult(Receiver.Hanging(dead)), n => n == WebhookDispatcherLane);
            Assert.Equal(WebhookDispatcherLane, hanging);
            Assert.False(delivering.IsCompleted);

            // Each attempt gives up at 15 s on the server's clock.
            App.Time.Advance(TimeSpan.FromSeconds(15));
            await delivering.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

            var deadLog = (await account.DeliveriesAsync(deadEndpoint.Id)).Items;
            Assert.All(deadLog, d => Assert.Equal(("pending", 1, (int?)null), (d.Status, d.Attempts, d.LastResponseStatus)));
            Assert.All((await account.DeliveriesAsync(healthyEndpoint.Id)).Items, d => Assert.Equal("succeeded", d.Status));
        }
        finally
        {
            // The dead endpoint's retries would hang every later delivery run of this server: nothing of it is left behind.
            Receiver.Release(dead);
            await account.Client.DeleteAsync($"/v1/webhooks/{deadEndpoint.Id}", CancellationToken.None);
        }
    }

    [Fact]
    public async Task WebhookVerifier_accepts_a_delivery_and_refuses_it_replayed_after_five_minutes_or_tampered()
    {
        var (account, endpoint, path) = await SubscribedAsync(events: "webhook.test");
        await (await account.Client.PostAsync($"/v1/webhooks/{endpoint.Id}/test", null, TestContext.Current.CancellationToken))
            .ReadAsync<WebhookDeliveryResponse>(HttpStatusCode.Accepted);
        await server.DeliverAsync();
        var r = Receiver.To(path).Single();
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(App.Time.GetUtcNow());
        var verifier = new Tessera.Client.WebhookVerifier(clock, endpoint.Secret);

        Assert.True(verifier.IsValid(r.Id, r.Timestamp, r.Signature, r.Body));
        Assert.False(verifier.IsValid(r.Id, r.Timestamp, r.Signature, r.Body.Replace("webhook.test", "token.deleted", StringComparison.Ordinal)));
        Assert.False(verifier.IsValid("evt_other", r.Timestamp, r.Signature, r.Body));
        Assert.False(new Tessera.Client.WebhookVerifier(clock, Core.Webhooks.WebhookSignature.NewSecret()).IsValid(r.Id, r.Timestamp, r.Signature, r.Body));
        // The header has whole seconds: a minute short of 5 passes, 5 minutes and a second after it do not.
        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.True(verifier.IsValid(r.Id, r.Timestamp, r.Signature, r.Body));
        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(2));
        Assert.False(verifier.IsValid(r.Id, r.Timestamp, r.Signature, r.Body));
    }

    [Fact]
    public async Task A_leak_report_sends_token_leaked_and_token_cancelled()
    {
        var (account, _, path) = await SubscribedAsync(events: ["token.leaked", "token.cancelled"]);
        var token = await account.CreateTokenAsync("leaky");
        await (await account.Client.PostJsonAsync("/v1/leaks", new LeakReportRequest(token.Token, "https://pastebin.example/raw/1", "paste")))
            .ReadAsync<LeakReportResponse>();
        await server.DeliverAsync();

        var received = Receiver.To(path);
        Assert.Equal(["token.cancelled", "token.leaked"], received.Select(r => r.Type).Order());
        var leaked = received.Single(r => r.Type == "token.leaked").Json["data"]!;
        Assert.Equal(("cancelled", "https://pastebin.example/raw/1"), ((string)leaked["status"]!, (string)leaked["leak"]!["url"]!));
        Assert.DoesNotContain(token.Token, string.Concat(received.Select(x => x.Body)), StringComparison.Ordinal);
    }
}
