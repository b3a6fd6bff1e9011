using System.Net;
using Tessera.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Webhooks;

/// <summary>
/// Delivery rules that take the server's clock hours ahead (rotation, auto-disable): a class of their own, so
/// the other delivery tests' clock stays within the independent verifier's 5 minutes of the real one.
/// </summary>
public abstract class WebhookClockTests(WebhookServer server)
{
    public sealed class OnSqlite(WebhookServer.OnSqlite server) : WebhookClockTests(server), IClassFixture<WebhookServer.OnSqlite>;

    public sealed class OnPostgres(WebhookServer.OnPostgres server) : WebhookClockTests(server.Require()), IClassFixture<WebhookServer.OnPostgres>;

    private TesseraApp App => server.App;

    private WebhookReceiver Receiver => server.Receiver;

    private Task<(TestAccount Account, CreatedWebhookResponse Endpoint, string Path)> SubscribedAsync(int status = 200, int failures = 0,
        params string[] events) => server.SubscribedAsync(status, failures, events);

    [Fact]
    public async Task A_rotation_signs_with_both_secrets_for_24_hours_then_with_the_new_one()
    {
        var (account, endpoint, path) = await SubscribedAsync(events: "webhook.test");
        var rotated = await (await account.Client.PostAsync($"/v1/webhooks/{endpoint.Id}/rotate-secret", null, TestContext.Current.CancellationToken))
            .ReadAsync<CreatedWebhookResponse>();
        Receiver.Trust(path, endpoint.Secret, rotated.Secret);
        await (await account.Client.PostAsync($"/v1/webhooks/{endpoint.Id}/test", null, TestContext.Current.CancellationToken))
            .ReadAsync<WebhookDeliveryResponse>(HttpStatusCode.Accepted);
        await server.DeliverAsync();

        var during = Receiver.To(path).Single();
        var signatures = during.Signature.Split(' ');
        Assert.Equal(2, signatures.Length);
        // StandardWebhooks 1.1.2 checks only the first of several signatures (its loop reads the whole header on the
        // last turn), so it vouches for the new secret's; the old one's is checked against the specification's formula.
        // The verifier also checks the timestamp against the real clock, which this class moves hours ahead.
        Assert.Equal(WebhookSignatures.Of(rotated.Secret, during), signatures[0]);
        Assert.Contains(WebhookSignatures.Of(endpoint.Secret, during), signatures);

        App.Time.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));
        await (await account.Client.PostAsync($"/v1/webhooks/{endpoint.Id}/test", null, TestContext.Current.CancellationToken))
            .ReadAsync<WebhookDeliveryResponse>(HttpStatusCode.Accepted);
        await server.DeliverAsync();
        // A day on the server's clock is beyond the verifier's tolerance on the real one: count the signatures instead.
        var after = Receiver.To(path)[1];
        Assert.Single(after.Signature.Split(' '));
        Assert.Equal(WebhookSignatures.Of(rotated.Secret, after), after.Signature);
    }

    [Fact]
    public async Task An_endpoint_failing_for_DisableAfter_is_disabled_with_an_audit_entry_and_enabling_it_resumes()
    {
        var (account, endpoint, path) = await SubscribedAsync(status: 500, failures: 1_000, events: "token.created");
        await account.CreateTokenAsync("first");
        await server.DeliverAsync();
        // "second" is created before the clock moves: the server's own worker runs on this clock too, and moving it an hour
        // lets that worker retry "first" at once, which disables the endpoint; a token created after that (as this test once
        // did) races with the disable and, when it loses, rightly gets no delivery, leaving one pending delivery instead of two.
        await account.CreateTokenAsync("second");
        App.Time.Advance(TimeSpan.FromHours(1));
        await server.DeliverAsync();

        Assert.False((await account.GetWebhookAsync(endpoint.Id)).Enabled);
        var disabled = (await account.AuditAsync($"?objectId={endpoint.Id}&action=webhook.disabled")).Items.Single();
        Assert.Equal("system", disabled.ActorType);
        var attempts = Receiver.To(path).Count;
        await account.CreateTokenAsync("third");
        App.Time.Advance(TimeSpan.FromSeconds(5));
        await server.DeliverAsync();
        Assert.Equal(attempts, Receiver.To(path).Count);

        // Enabled again, it gets what was pending when it was disabled (not the changes made while it was off).
        Receiver.Answer(path);
        await (await account.Client.PatchJsonAsync($"/v1/webhooks/{endpoint.Id}", new { enabled = true })).ReadAsync<WebhookResponse>();
        await server.DeliverAsync();
        Assert.Equal(2, Receiver.To(path).Skip(attempts).Count());
        Assert.Equal(["succeeded", "succeeded"], (await account.DeliveriesAsync(endpoint.Id)).Items.Select(d => d.Status));
    }
}
