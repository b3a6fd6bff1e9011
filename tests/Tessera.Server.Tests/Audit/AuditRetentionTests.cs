using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Tessera.Core;
using Tessera.Core.Audit;
using Tessera.Core.Storage;
using Tessera.Server.Background;
using Tessera.Server.Hosting;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Audit;

/// <summary>
/// Entries older than Tessera:Audit:Retention (default 365 days) are pruned in bounded batches, on the
/// server's clock; younger ones stay. Own server: its clock jumps a year.
/// </summary>
public sealed class AuditRetentionTests(AuditRetentionTests.Server server) : IClassFixture<AuditRetentionTests.Server>
{
    public sealed class Server : IAsyncDisposable
    {
        public AuditApp Audit { get; } = new(new() { ["Tessera:Audit:PruneBatchSize"] = "2" });

        public ValueTask DisposeAsync() => Audit.DisposeAsync();
    }

    [Fact]
    public async Task Entries_past_the_default_retention_are_pruned_in_bounded_batches_and_younger_ones_kept()
    {
        var app = server.Audit.App;
        var ct = TestContext.Current.CancellationToken;
        var account = await app.NewAccountAsync();
        foreach (var name in new[] { "old-1", "old-2", "old-3" })
        {
            await account.CreateTokenAsync(name);
        }
        var oldAt = app.Time.GetUtcNow();
        app.Time.Advance(TimeSpan.FromDays(200));
        var young = await account.CreateTokenAsync("young");
        Assert.Equal(2 + 3 + 1, (await account.AuditAsync("?limit=200")).Items.Count);

        // Exactly 365 days old is still within the retention.
        app.Time.SetUtcNow(oldAt + TimeSpan.FromDays(365));
        var pruner = app.Services.GetRequiredService<AuditPruner>();
        Assert.Equal(0, await pruner.PruneAsync(ct));
        Assert.Equal(6, (await account.AuditAsync("?limit=200")).Items.Count);

        // One millisecond later it is not. One prune statement deletes at most one batch (2 here) ...
        app.Time.Advance(TimeSpan.FromMilliseconds(1));
        var cutoff = Instants.Now(app.Time) - TimeSpan.FromDays(365);
        Assert.Equal(2, await app.Services.GetRequiredService<IAuditStore>().PruneAsync(cutoff, 2, ct));
        // ... and a pass runs batches until none is left: the old entries of every account, the bootstrap account's too.
        Assert.True(await pruner.PruneAsync(ct) >= 3);
        Assert.Equal(0, await pruner.PruneAsync(ct));

        var left = (await account.AuditAsync("?limit=200")).Items;
        var entry = Assert.Single(left);
        Assert.Equal((AuditActions.TokenCreated, young.Id), (entry.Action, entry.ObjectId));
        Assert.Equal(4, (await account.ListTokensAsync()).Items.Count);
    }

    [Fact]
    public void Retention_defaults_to_365_days_and_a_bad_value_stops_the_server()
    {
        Assert.Equal(TimeSpan.FromDays(365), TesseraSettings.From(Configuration([])).Audit.Retention);
        Assert.Equal(TimeSpan.FromDays(30), TesseraSettings.From(Configuration(new() { ["Tessera:Audit:Retention"] = "30.00:00:00" })).Audit.Retention);
        foreach (var (key, value) in new[] { ("Retention", "00:00:00"), ("Retention", "-1.00:00:00"), ("PruneBatchSize", "0"), ("PruneInterval", "00:00:00"), ("Retention", "a year") })
        {
            Assert.Throws<TesseraConfigurationException>(() => TesseraSettings.From(Configuration(new() { ["Tessera:Audit:" + key] = value })));
        }
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
