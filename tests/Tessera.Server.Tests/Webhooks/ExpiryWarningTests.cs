using System.Net;
using Tessera.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Webhooks;

/// <summary>
/// API.md §7's expiry warnings on the server's (fake) clock: <c>token.expiring</c> once per threshold and expiry
/// value, re-armed by a renewal, <c>token.expired</c> once, scans at once emitting each once; and the
/// <c>state=expiring</c> list filter. The clock moves by weeks, so signatures are not checked here.
/// </summary>
public abstract class ExpiryWarningTests(WebhookServer server)
{
    public sealed class OnSqlite(WebhookServer.OnSqlite server) : ExpiryWarningTests(server), IClassFixture<WebhookServer.OnSqlite>;

    public sealed class OnPostgres(WebhookServer.OnPostgres server) : ExpiryWarningTests(server.Require()), IClassFixture<WebhookServer.OnPostgres>;

    private TesseraApp App => server.App;

    private async Task ScanAndDeliverAsync()
    {
        // Two scans at once, as two servers would run them: each warning is still emitted once.
        await Task.WhenAll(server.Expiry.ScanAsync(TestContext.Current.CancellationToken), server.Expiry.ScanAsync(TestContext.Current.CancellationToken));
        await server.DeliverAsync();
    }

    [Fact]
    public async Task Each_threshold_warns_once_per_expiry_a_renewal_rearms_and_the_expiry_is_told_once()
    {
        var account = await App.NewAccountAsync();
        var path = Guid.NewGuid().ToString("N");
        await account.CreateWebhookAsync(server.Receiver.Answer(path), "token.expiring", "token.expired");
        // state=expiring lists usable tokens (active, bound to a workload, unexpired) about to expire (issue 14).
        var workload = await account.CreateWorkloadAsync(Guid.NewGuid().ToString("N"));
        var token = await account.CreateTokenAsync("alice", workload.Id);
        var types = () => server.Receiver.To(path).Where(r => (string)r.Json["data"]!["id"]! == token.Id)
            .Select(r => $"{r.Type} {r.Json["data"]!["expiresIn"]}".TrimEnd()).ToList();

        App.Time.Advance(TimeSpan.FromDays(23) - TimeSpan.FromSeconds(1));
        await ScanAndDeliverAsync();
        Assert.Empty(types());
        Assert.DoesNotContain(token.Id, (await account.ListTokensAsync("?state=expiring")).Items.Select(t => t.Id));

        App.Time.Advance(TimeSpan.FromSeconds(2));
        await ScanAndDeliverAsync();
        await ScanAndDeliverAsync();
        Assert.Equal(["token.expiring P7D"], types());
        Assert.Equal(token.Id, (string)server.Receiver.To(path)[0].Json["data"]!["id"]!);
        var fresh = await account.CreateTokenAsync("bob", workload.Id);
        var expiring = (await account.ListTokensAsync("?state=expiring")).Items.Select(t => t.Id).ToList();
        Assert.Contains(token.Id, expiring);
        Assert.DoesNotContain(fresh.Id, expiring);

        App.Time.Advance(TimeSpan.FromDays(6));
        await ScanAndDeliverAsync();
        Assert.Equal(["token.expiring P7D", "token.expiring P1D"], types());

        // A renewal moves the expiry: the thresholds are armed again for the new value.
        await (await account.Client.PostAsync($"/v1/tokens/{token.Id}/renew", null, TestContext.Current.CancellationToken)).ReadAsync<TokenResponse>();
        App.Time.Advance(TimeSpan.FromDays(23) + TimeSpan.FromSeconds(1));
        await ScanAndDeliverAsync();
        Assert.Equal(["token.expiring P7D", "token.expiring P1D", "token.expiring P7D"], types());

        App.Time.Advance(TimeSpan.FromDays(7));
        await ScanAndDeliverAsync();
        await ScanAndDeliverAsync();
        // The scan after the expiry tells it; the second threshold's window passed between two scans, unseen.
        Assert.Equal(["token.expiring P7D", "token.expiring P1D", "token.expiring P7D", "token.expired"], types());
        Assert.Equal("expired", (string)server.Receiver.To(path).Last(r => r.Type == "token.expired").Json["data"]!["state"]!);
        Assert.Equal(HttpStatusCode.OK, (await account.Client.GetAsync("/v1/tokens?state=expiring")).StatusCode);
    }

    [Fact]
    public async Task A_cancelled_token_gets_no_warning()
    {
        var account = await App.NewAccountAsync();
        var path = Guid.NewGuid().ToString("N");
        await account.CreateWebhookAsync(server.Receiver.Answer(path), "token.expiring", "token.expired");
        var token = await account.CreateTokenAsync("carol");
        await account.PatchTokenAsync(token.Id, new { status = "cancelled" });

        App.Time.Advance(TimeSpan.FromDays(31));
        await ScanAndDeliverAsync();
        Assert.Empty(server.Receiver.To(path));
    }
}
