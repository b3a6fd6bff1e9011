using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Contracts;
using Tessera.Core;
using Tessera.Core.Webhooks;
using Tessera.Server.Background;
using Tessera.Server.Hosting;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Storage.Sql;

namespace Tessera.Server.Tests.Webhooks;

/// <summary>
/// Finished deliveries and delivered events older than Tessera:Webhooks:Retention (default 30 days) are pruned in bounded
/// batches on the server's clock; pending deliveries and their events stay whatever their age. Own servers: the clock jumps a month.
/// </summary>
public abstract class WebhookPruningTests(WebhookServer server)
{
    private static readonly Dictionary<string, string> Settings = new(WebhookServer.Settings) { ["Tessera:Webhooks:PruneBatchSize"] = "2" };

    public sealed class SqliteServer : WebhookServer
    {
        public override TesseraApp App { get; } = new() { Settings = new(WebhookPruningTests.Settings) };
    }

    public sealed class PostgresServer : WebhookServer
    {
        private readonly PostgresTesseraApp _app = new() { Settings = new(WebhookPruningTests.Settings) };

        public override TesseraApp App => _app;

        public override async ValueTask InitializeAsync()
        {
            await _app.InitializeAsync();
            await base.InitializeAsync();
        }

        public PostgresServer Require()
        {
            _app.Require();
            return this;
        }
    }

    public sealed class OnSqlite(SqliteServer server) : WebhookPruningTests(server), IClassFixture<SqliteServer>;

    public sealed class OnPostgres(PostgresServer server) : WebhookPruningTests(server.Require()), IClassFixture<PostgresServer>;

    private TesseraApp App => server.App;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private async Task<long> EventsOfAsync(string accountId)
    {
        await using var connection = await App.Services.GetRequiredService<SqlDatabase>().OpenAsync(Cancel);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM events WHERE account_id = @account";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "account";
        parameter.Value = accountId;
        command.Parameters.Add(parameter);
        return Convert.ToInt64(await command.ExecuteScalarAsync(Cancel), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Finished_deliveries_and_delivered_events_past_the_retention_are_pruned_in_batches_and_pending_ones_kept()
    {
        var account = await App.NewAccountAsync();
        var okPath = Guid.NewGuid().ToString("N");
        var ok = await account.CreateWebhookAsync(server.Receiver.Answer(okPath), "token.created");
        for (var i = 0; i < 5; i++)
        {
            await account.CreateTokenAsync($"old-{i}");
        }
        // An endpoint disabled with a delivery pending: that delivery, and so its event, must survive any retention.
        var heldPath = Guid.NewGuid().ToString("N");
        var held = await account.CreateWebhookAsync(server.Receiver.Answer(heldPath), "token.created");
        await account.CreateTokenAsync("held");
        await (await account.Client.PatchJsonAsync($"/v1/webhooks/{held.Id}", new { enabled = false })).ReadAsync<WebhookResponse>();
        await server.DeliverAsync();
        var oldDeliveries = (await account.DeliveriesAsync(ok.Id)).Items;
        Assert.Equal(6, oldDeliveries.Count);
        Assert.All(oldDeliveries, d => Assert.Equal("succeeded", d.Status));
        var pending = Assert.Single((await account.DeliveriesAsync(held.Id)).Items);
        Assert.Equal("pending", pending.Status);
        Assert.Equal(6, await EventsOfAsync(account.Id));

        // Exactly 30 days after the last attempt is still within the retention.
        App.Time.Advance(TimeSpan.FromDays(30));
        var young = await account.CreateTokenAsync("young");
        await server.DeliverAsync();
        var pruner = App.Services.GetRequiredService<WebhookPruner>();
        Assert.Equal(0, await pruner.PruneAsync(Cancel));
        Assert.Equal(7, (await account.DeliveriesAsync(ok.Id)).Items.Count);

        // One millisecond later it is not. One statement deletes at most one batch (2 here) ...
        App.Time.Advance(TimeSpan.FromMilliseconds(1));
        var cutoff = Instants.Now(App.Time) - TimeSpan.FromDays(30);
        Assert.Equal(2, await App.Services.GetRequiredService<IWebhookStore>().PruneDeliveriesAsync(cutoff, 2, Cancel));
        // ... and a pass runs batches until none is left: the 4 other old finished deliveries, then the 5 events left without one.
        Assert.Equal(4 + 5, await pruner.PruneAsync(Cancel));
        Assert.Equal(0, await pruner.PruneAsync(Cancel));

        var kept = Assert.Single((await account.DeliveriesAsync(ok.Id)).Items);
        Assert.Equal(("token.created", "succeeded"), (kept.Type, kept.Status));
        Assert.Equal(pending.Id, Assert.Single((await account.DeliveriesAsync(held.Id)).Items).Id);
        Assert.Equal(2, await EventsOfAsync(account.Id)); // the held event and the young one
        var retryPruned = await account.Client.PostAsync($"/v1/webhooks/{ok.Id}/deliveries/{oldDeliveries[0].Id}/retry", null, Cancel);
        Assert.Equal(HttpStatusCode.NotFound, retryPruned.StatusCode);

        // The kept event is whole: enabled again, the held endpoint receives it.
        await (await account.Client.PatchJsonAsync($"/v1/webhooks/{held.Id}", new { enabled = true })).ReadAsync<WebhookResponse>();
        await server.DeliverAsync();
        var received = Assert.Single(server.Receiver.To(heldPath));
        Assert.Equal(("token.created", "held"), (received.Type, (string)received.Json["data"]!["name"]!));
        Assert.Equal(young.Id, (string)server.Receiver.To(okPath)[^1].Json["data"]!["id"]!);
    }

    [Fact]
    public void Retention_defaults_to_30_days_and_a_bad_value_stops_the_server()
    {
        var defaults = TesseraSettings.From(Configuration([])).Webhooks;
        Assert.Equal((TimeSpan.FromDays(30), TimeSpan.FromHours(1), 1_000), (defaults.Retention, defaults.PruneInterval, defaults.PruneBatchSize));
        Assert.Equal(TimeSpan.FromDays(7), TesseraSettings.From(Configuration(new() { ["Tessera:Webhooks:Retention"] = "7.00:00:00" })).Webhooks.Retention);
        foreach (var (key, value) in new[] { ("Retention", "00:00:00"), ("Retention", "-1.00:00:00"), ("PruneBatchSize", "0"), ("PruneInterval", "00:00:00"), ("Retention", "a month") })
        {
            Assert.Throws<TesseraConfigurationException>(() => TesseraSettings.From(Configuration(new() { ["Tessera:Webhooks:" + key] = value })));
        }
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
