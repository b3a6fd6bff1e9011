using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using Tessera.Contracts;

namespace Tessera.Client.Tests;

/// <summary>
/// Issue 14: every webhook call of <see cref="TesseraManagementClient"/> over real HTTP against a real server process, its
/// refusals as problem codes, and <see cref="WebhookVerifier"/> (and the Python and Node receivers of docs/webhooks.md) on
/// deliveries a real loopback receiver got, which the StandardWebhooks package verified independently.
/// </summary>
public sealed partial class WebhookSdkTests(WebhookSdkTests.Servers servers) : IClassFixture<WebhookSdkTests.Servers>
{
    /// <summary>One server delivering to loopback, one with the default destination rules (https, public addresses only).</summary>
    public sealed class Servers : IAsyncLifetime
    {
        public WebhookProcessServer Delivering { get; } = new();

        public ProcessServer Strict { get; } = new();

        public async ValueTask InitializeAsync()
        {
            await Delivering.InitializeAsync();
            await Strict.InitializeAsync();
        }

        public async ValueTask DisposeAsync()
        {
            await Delivering.DisposeAsync();
            await Strict.DisposeAsync();
        }
    }

    private WebhookReceiver Receiver => servers.Delivering.Receiver;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private async Task<WebhookReceiver.Received> ReceivedAsync(string path, string eventId)
    {
        var (received, _) = await Poll.UntilAsync(() => Task.FromResult(Receiver.To(path).Where(r => r.Id == eventId).ToList()), r => r.Count > 0);
        return Assert.Single(received);
    }

    [Fact]
    public async Task Every_webhook_call_works_over_http_against_a_real_server()
    {
        using var client = servers.Delivering.Client();
        var path = Guid.NewGuid().ToString("N");
        var url = Receiver.Answer(path);

        var created = await client.CreateWebhookAsync(url, ["token.created", "token.cancelled"], "crm", Cancel);
        Assert.StartsWith("wh_", created.Id, StringComparison.Ordinal);
        Assert.Matches("^whsec_[A-Za-z0-9+/]{43}=$", created.Secret);
        Assert.Equal((url, "crm", true), (created.Url, created.Description, created.Enabled));
        Receiver.Trust(path, created.Secret);

        Assert.Contains(await client.ListWebhooksAsync(Cancel).ToListAsync(Cancel), w => w.Id == created.Id && w.Url == url);
        var fetched = await client.GetWebhookAsync(created.Id, Cancel);
        Assert.Equal(created.Version, fetched.Version);
        Assert.IsNotType<CreatedWebhookResponse>(fetched);

        // A token change reaches the receiver as its event, signed with the secret of the create response.
        var token = await client.CreateTokenAsync($"sdk-{path[..8]}", null, null, Cancel);
        var (deliveries, _) = await Poll.UntilAsync(() => client.ListWebhookDeliveriesAsync(created.Id, Cancel).ToListAsync(Cancel).AsTask(),
            d => d.Count == 1 && d[0].Status == "succeeded");
        var delivery = Assert.Single(deliveries);
        Assert.Equal(("token.created", "succeeded", 1, 200), (delivery.Type, delivery.Status, delivery.Attempts, delivery.LastResponseStatus));
        var received = await ReceivedAsync(path, delivery.EventId);
        Assert.Equal([created.Secret], received.VerifiedBy);
        Assert.Equal(token.Id, (string)received.Json["data"]!["id"]!);

        // PATCH: only the given fields; If-Match with a stale version is refused (412) and changes nothing.
        var updated = await client.UpdateWebhookAsync(created.Id, new UpdateWebhookRequest(Events: new[] { "*" }, Description: "everything"), created.Version, Cancel);
        Assert.Equal(["*"], updated.Events);
        Assert.Equal(("everything", url, created.Version + 1), (updated.Description, updated.Url, updated.Version));
        var stale = await Assert.ThrowsAsync<TesseraApiException>(() =>
            client.UpdateWebhookAsync(created.Id, new UpdateWebhookRequest(Enabled: false), created.Version, Cancel));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.True((await client.GetWebhookAsync(created.Id, Cancel)).Enabled);
        Assert.False((await client.UpdateWebhookAsync(created.Id, new UpdateWebhookRequest(Enabled: false), null, Cancel)).Enabled);
        Assert.True((await client.UpdateWebhookAsync(created.Id, new UpdateWebhookRequest(Enabled: true), null, Cancel)).Enabled);

        // Test event, then a manual retry of it: the same event id arrives twice.
        var test = await client.TestWebhookAsync(created.Id, Cancel);
        Assert.Equal(("webhook.test", "pending"), (test.Type, test.Status));
        await ReceivedAsync(path, test.EventId);
        await Poll.UntilAsync(() => client.ListWebhookDeliveriesAsync(created.Id, Cancel).ToListAsync(Cancel).AsTask(),
            d => d.Single(x => x.Id == test.Id).Status == "succeeded");
        var retried = await client.RetryWebhookDeliveryAsync(created.Id, test.Id, Cancel);
        Assert.Equal((test.Id, test.EventId, "pending"), (retried.Id, retried.EventId, retried.Status));
        var (twice, _) = await Poll.UntilAsync(() => Task.FromResult(Receiver.To(path).Count(r => r.Id == test.EventId)), n => n == 2);
        Assert.Equal(2, twice);

        // Rotation: a new secret; the next delivery carries both signatures, the new one first.
        var rotated = await client.RotateWebhookSecretAsync(created.Id, Cancel);
        Assert.NotEqual(created.Secret, rotated.Secret);
        Assert.Equal(created.Id, rotated.Id);
        Receiver.Trust(path, rotated.Secret);
        var afterRotation = await ReceivedAsync(path, (await client.TestWebhookAsync(created.Id, Cancel)).EventId);
        Assert.Equal([rotated.Secret], afterRotation.VerifiedBy);
        Assert.Equal([WebhookSignatures.Of(rotated.Secret, afterRotation), WebhookSignatures.Of(created.Secret, afterRotation)],
            afterRotation.Signature.Split(' '));

        await client.DeleteWebhookAsync(created.Id, Cancel);
        var gone = await Assert.ThrowsAsync<TesseraApiException>(() => client.GetWebhookAsync(created.Id, Cancel));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.DoesNotContain(await client.ListWebhooksAsync(Cancel).ToListAsync(Cancel), w => w.Id == created.Id);
        foreach (var call in new Func<Task>[]
                 {
                     () => client.DeleteWebhookAsync(created.Id, Cancel),
                     () => client.TestWebhookAsync(created.Id, Cancel),
                     () => client.RotateWebhookSecretAsync(created.Id, Cancel),
                     () => client.RetryWebhookDeliveryAsync(created.Id, test.Id, Cancel),
                     () => client.ListWebhookDeliveriesAsync(created.Id, Cancel).ToListAsync(Cancel).AsTask(),
                 })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAsync<TesseraApiException>(call)).StatusCode);
        }
    }

    [Theory]
    [InlineData("https://127.0.0.1/hook")]
    [InlineData("https://10.1.2.3/hook")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    [InlineData("https://[::ffff:127.0.0.1]/hook")]
    [InlineData("https://localhost/hook")]
    [InlineData("http://hooks.example.com/hook")]
    public async Task A_forbidden_destination_is_refused_with_webhook_url_forbidden_and_nothing_is_created(string url)
    {
        using var client = servers.Strict.Client();
        var before = await client.ListWebhooksAsync(Cancel).ToListAsync(Cancel);

        var refused = await Assert.ThrowsAsync<TesseraApiException>(() => client.CreateWebhookAsync(url, ["*"], null, Cancel));

        Assert.Equal((HttpStatusCode.UnprocessableEntity, "webhook_url_forbidden"), (refused.StatusCode, refused.Code));
        Assert.Equal(before.Count, (await client.ListWebhooksAsync(Cancel).ToListAsync(Cancel)).Count);
    }

    [Fact]
    public async Task Unknown_event_types_and_malformed_input_are_refused_with_stable_codes_and_change_nothing()
    {
        using var client = servers.Delivering.Client();
        var url = Receiver.Answer(Guid.NewGuid().ToString("N"));

        var unknown = await Assert.ThrowsAsync<TesseraApiException>(() => client.CreateWebhookAsync(url, ["token.created", "token.exploded"], null, Cancel));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "unknown_event_type"), (unknown.StatusCode, unknown.Code));
        Assert.DoesNotContain(await client.ListWebhooksAsync(Cancel).ToListAsync(Cancel), w => w.Url == url);

        var endpoint = await client.CreateWebhookAsync(url, ["token.created"], null, Cancel);
        var patched = await Assert.ThrowsAsync<TesseraApiException>(() =>
            client.UpdateWebhookAsync(endpoint.Id, new UpdateWebhookRequest(Events: new[] { "workload.exploded" }), null, Cancel));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "unknown_event_type"), (patched.StatusCode, patched.Code));
        var unspecified = await Assert.ThrowsAsync<TesseraApiException>(() =>
            client.UpdateWebhookAsync(endpoint.Id, new UpdateWebhookRequest(Url: "http://0.0.0.0/hook"), null, Cancel));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "webhook_url_forbidden"), (unspecified.StatusCode, unspecified.Code));
        var noEvents = await Assert.ThrowsAsync<TesseraApiException>(() => client.CreateWebhookAsync(url, [], null, Cancel));
        Assert.True(noEvents.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity, noEvents.Message);
        Assert.False(string.IsNullOrEmpty(noEvents.Code));
        var notAnId = await Assert.ThrowsAsync<TesseraApiException>(() => client.GetWebhookAsync("wh_nonsense", Cancel));
        Assert.Equal(HttpStatusCode.NotFound, notAnId.StatusCode);

        var unchanged = await client.GetWebhookAsync(endpoint.Id, Cancel);
        Assert.Equal(["token.created"], unchanged.Events);
        Assert.Equal((url, endpoint.Version), (unchanged.Url, unchanged.Version));
    }

    [Fact]
    public async Task WebhookVerifier_accepts_real_deliveries_the_independent_implementation_accepts_and_refuses_tampering_and_replay()
    {
        using var client = servers.Delivering.Client();
        var path = Guid.NewGuid().ToString("N");
        var endpoint = await client.CreateWebhookAsync(Receiver.Answer(path), ["webhook.test"], null, Cancel);
        Receiver.Trust(path, endpoint.Secret);
        var received = await ReceivedAsync(path, (await client.TestWebhookAsync(endpoint.Id, Cancel)).EventId);
        Assert.Equal([endpoint.Secret], received.VerifiedBy); // StandardWebhooks says it is genuine

        var verifier = new WebhookVerifier(endpoint.Secret);
        Assert.True(verifier.IsValid(received.Id, received.Timestamp, received.Signature, received.Body));
        Assert.True(verifier.IsValid(received.Id, received.Timestamp, received.Signature, System.Text.Encoding.UTF8.GetBytes(received.Body)));
        var other = (await client.RotateWebhookSecretAsync((await client.CreateWebhookAsync(Receiver.Answer("unused"), ["*"], null, Cancel)).Id, Cancel)).Secret;
        Assert.False(new WebhookVerifier(other).IsValid(received.Id, received.Timestamp, received.Signature, received.Body));
        Assert.False(verifier.IsValid(received.Id, received.Timestamp, received.Signature, received.Body.Replace("webhook.test", "webhook.tesT", StringComparison.Ordinal)));
        Assert.False(verifier.IsValid("evt_other", received.Timestamp, received.Signature, received.Body));
        Assert.False(verifier.IsValid(received.Id, (long.Parse(received.Timestamp, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
            received.Signature, received.Body));
        Assert.False(verifier.IsValid(received.Id, received.Timestamp, null, received.Body));

        // Replay: the same genuine request, presented more than 5 minutes after (or before) its timestamp, is refused.
        var sent = DateTimeOffset.FromUnixTimeSeconds(long.Parse(received.Timestamp, System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(new WebhookVerifier(new FakeTimeProvider(sent + TimeSpan.FromMinutes(5)), endpoint.Secret)
            .IsValid(received.Id, received.Timestamp, received.Signature, received.Body));
        Assert.False(new WebhookVerifier(new FakeTimeProvider(sent + TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1)), endpoint.Secret)
            .IsValid(received.Id, received.Timestamp, received.Signature, received.Body));
        Assert.False(new WebhookVerifier(new FakeTimeProvider(sent - TimeSpan.FromMinutes(6)), endpoint.Secret)
            .IsValid(received.Id, received.Timestamp, received.Signature, received.Body));

        // During a rotation a receiver holding either secret (or both) accepts; one holding neither does not.
        var rotated = await client.RotateWebhookSecretAsync(endpoint.Id, Cancel);
        var during = await ReceivedAsync(path, (await client.TestWebhookAsync(endpoint.Id, Cancel)).EventId);
        Assert.True(new WebhookVerifier(endpoint.Secret).IsValid(during.Id, during.Timestamp, during.Signature, during.Body));
        Assert.True(new WebhookVerifier(rotated.Secret).IsValid(during.Id, during.Timestamp, during.Signature, during.Body));
        Assert.True(new WebhookVerifier(rotated.Secret, endpoint.Secret).IsValid(during.Id, during.Timestamp, during.Signature, during.Body));
        Assert.False(new WebhookVerifier(other).IsValid(during.Id, during.Timestamp, during.Signature, during.Body));
    }

    [Theory]
    [InlineData("Python", "python3", ".py")]
    [InlineData("Node", "node", ".js")]
    public async Task The_receivers_of_docs_webhooks_md_verify_a_real_delivery_and_refuse_a_tampered_one(string heading, string interpreter, string extension)
    {
        using var client = servers.Delivering.Client();
        var path = Guid.NewGuid().ToString("N");
        var endpoint = await client.CreateWebhookAsync(Receiver.Answer(path), ["webhook.test"], null, Cancel);
        Receiver.Trust(path, endpoint.Secret);
        var received = await ReceivedAsync(path, (await client.TestWebhookAsync(endpoint.Id, Cancel)).EventId);
        Assert.Equal([endpoint.Secret], received.VerifiedBy);
        var rotated = await client.RotateWebhookSecretAsync(endpoint.Id, Cancel);
        var during = await ReceivedAsync(path, (await client.TestWebhookAsync(endpoint.Id, Cancel)).EventId);

        var docs = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "docs", "webhooks.md"), Cancel);
        var snippet = Block().Match(docs[docs.IndexOf($"## {heading}\n", StringComparison.Ordinal)..]).Groups[1].Value;
        var driver = extension == ".py"
            ? """
              import json, sys
              d = json.load(open(sys.argv[1]))
              print(verify(d["secret"], {"webhook-id": d["id"], "webhook-timestamp": d["ts"], "webhook-signature": d["sig"]}, d["body"].encode()))
              """
            : """
              const d = JSON.parse(require("node:fs").readFileSync(process.argv[2], "utf8"));
              console.log(verify(d.secret, {"webhook-id": d.id, "webhook-timestamp": d.ts, "webhook-signature": d.sig}, Buffer.from(d.body, "utf8")) ? "True" : "False");
              """;
        var directory = Directory.CreateTempSubdirectory("tessera-receiver-").FullName;
        var script = Path.Combine(directory, "verify" + extension);
        await File.WriteAllTextAsync(script, snippet + "\n" + driver, Cancel);

        async Task<string> RunAsync(string secret, WebhookReceiver.Received r, string? body = null)
        {
            var data = Path.Combine(directory, Guid.NewGuid().ToString("N") + ".json");
            await File.WriteAllTextAsync(data, JsonSerializer.Serialize(new { secret, id = r.Id, ts = r.Timestamp, sig = r.Signature, body = body ?? r.Body }), Cancel);
            using var process = Process.Start(new ProcessStartInfo(interpreter, [script, data]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = process.StandardOutput.ReadToEndAsync(Cancel);
            var error = process.StandardError.ReadToEndAsync(Cancel);
            await process.WaitForExitAsync(Cancel);
            Assert.True(process.ExitCode == 0, await error);
            return (await output).Trim();
        }

        Assert.Equal("True", await RunAsync(endpoint.Secret, received));
        Assert.Equal("False", await RunAsync(endpoint.Secret, received, received.Body.Replace("webhook.test", "webhook.tesT", StringComparison.Ordinal)));
        Assert.Equal("False", await RunAsync(rotated.Secret, received));
        Assert.Equal("True", await RunAsync(endpoint.Secret, during)); // the old secret still verifies during the rotation
        Assert.Equal("True", await RunAsync(rotated.Secret, during));
        Directory.Delete(directory, recursive: true);
    }

    [GeneratedRegex("```[a-z]+\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex Block();
}
