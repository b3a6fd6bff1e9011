using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Dapper;
using Tessera.Core;
using Tessera.Core.Accounts;
using Tessera.Core.Audit;
using Tessera.Core.Events;
using Tessera.Core.Storage;
using Tessera.Core.Webhooks;
using Tessera.Storage.Sql;

namespace Tessera.Storage.Tests;

/// <summary>
/// The delivery worker's batches on the store (ADR 0015's amendment): a claim takes many deliveries per endpoint in one
/// write, and one write records a whole batch of outcomes, each only under the lease it was claimed with. The edges of
/// batching: a batch partly failing, a claim that ran out in the middle of its batch, and servers claiming at once.
/// </summary>
public abstract class WebhookQueueTests(string provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : WebhookQueueTests(TempDatabase.Sqlite);

    public sealed class OnPostgres() : WebhookQueueTests(TempDatabase.Postgres);

    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    private TempDatabase _db = null!;
    private SqlWebhookStore _store = null!;
    private Account _account = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _db = await TempDatabase.CreateMigratedAsync(provider, Ct);
        _store = new SqlWebhookStore(_db.Database);
        _account = await _db.AddAccountAsync("Provider", T0, Ct);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    private async Task<string> EndpointAsync()
    {
        var endpoint = new WebhookEndpoint(Ids.New(Ids.Webhook, T0), _account.Id, "https://hooks.example/in", [EventTypes.Everything], "", true, T0, T0, 1);
        Assert.True(await _store.InsertEndpointAsync(endpoint, "sealed-secret", 1000, [], Ct));
        return endpoint.Id;
    }

    private async Task<List<string>> EnqueueAsync(string endpointId, int count, DateTimeOffset at)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var e = OutboxEvent.Of(_account.Id, EventTypes.WebhookTest, at, new JsonObject { ["n"] = i });
            ids.Add((await _store.EnqueueAsync(e, endpointId, Ct)).Id);
        }
        return ids;
    }

    private Task<IReadOnlyList<DueDelivery>> ClaimAsync(DateTimeOffset now, int limit = 1000, int perEndpoint = 64, params string[] busy) =>
        _store.ClaimDueAsync(now, now + Lease, limit, perEndpoint, busy, Ct);

    private DeliveryOutcome Outcome(DueDelivery d, DateTimeOffset at, int? status, DateTimeOffset? next, DateTimeOffset? disableIfFailingSince = null) =>
        new(d, at, status is >= 200 and < 300, status, status is >= 200 and < 300 ? null : next, disableIfFailingSince ?? at - TimeSpan.FromDays(5),
            AuditEntry.Local(AuditActors.System, _account.Id, at, AuditActions.WebhookDisabled, d.EndpointId,
                new JsonObject { ["enabled"] = true }, new JsonObject { ["enabled"] = false }));

    private async Task<Dictionary<string, WebhookDelivery>> LogAsync(string endpointId) =>
        (await _store.ListDeliveriesAsync(_account.Id, endpointId, 200, null, Ct)).Items.ToDictionary(d => d.Id);

    private async Task<(long? FailingSince, long Enabled, long? ClaimedRows)> EndpointStateAsync(string endpointId)
    {
        await using var connection = await _db.Database.OpenAsync(Ct);
        var (failingSince, enabled) = await connection.QuerySingleAsync<(long?, long)>(
            "SELECT failing_since, enabled FROM webhook_endpoints WHERE id = @endpointId", new { endpointId });
        var claimed = await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM webhook_deliveries WHERE endpoint_id = @endpointId AND claimed_until IS NOT NULL", new { endpointId });
        return (failingSince, enabled, claimed);
    }

    [Fact]
    public async Task A_batch_partly_failing_records_every_outcome_and_each_endpoint_s_failure_streak_in_the_order_they_ended()
    {
        var (a, b) = (await EndpointAsync(), await EndpointAsync());
        var toA = await EnqueueAsync(a, 3, T0);
        var toB = await EnqueueAsync(b, 2, T0);
        var claimed = (await ClaimAsync(T0)).ToDictionary(d => d.Id);
        Assert.Equal(toA.Concat(toB).Order(StringComparer.Ordinal), claimed.Keys.Order(StringComparer.Ordinal));

        // A: a success, then a failure (retried), then a failure that gives up. B: a failure, then a success.
        var disabled = await _store.RecordAttemptsAsync(
        [
            Outcome(claimed[toA[2]], T0.AddSeconds(3), null, null),
            Outcome(claimed[toB[1]], T0.AddSeconds(2), 200, null),
            Outcome(claimed[toA[0]], T0.AddSeconds(1), 204, null),
            Outcome(claimed[toA[1]], T0.AddSeconds(2), 500, T0.AddSeconds(12)),
            Outcome(claimed[toB[0]], T0.AddSeconds(1), 503, T0.AddSeconds(11)),
        ], Ct);

        Assert.Empty(disabled);
        var logA = await LogAsync(a);
        Assert.Equal((WebhookDelivery.Succeeded, 1, (int?)204, (DateTimeOffset?)null), (logA[toA[0]].Status, logA[toA[0]].Attempts, logA[toA[0]].LastResponseStatus, logA[toA[0]].NextAttemptAt));
        Assert.Equal((WebhookDelivery.Pending, 1, (int?)500, (DateTimeOffset?)T0.AddSeconds(12)), (logA[toA[1]].Status, logA[toA[1]].Attempts, logA[toA[1]].LastResponseStatus, logA[toA[1]].NextAttemptAt));
        Assert.Equal((WebhookDelivery.Failed, 1, (int?)null, (DateTimeOffset?)T0.AddSeconds(3)), (logA[toA[2]].Status, logA[toA[2]].Attempts, logA[toA[2]].LastResponseStatus, logA[toA[2]].LastAttemptAt));
        var logB = await LogAsync(b);
        Assert.Equal([WebhookDelivery.Pending, WebhookDelivery.Succeeded], toB.Select(id => logB[id].Status));
        // A's streak began with its first failure after its last success; B's last attempt succeeded. Nothing stays claimed.
        Assert.Equal((Ms.Of(T0.AddSeconds(2)), 1L, 0L), await EndpointStateAsync(a));
        Assert.Equal(((long?)null, 1L, 0L), await EndpointStateAsync(b));

        // The retry fails again: the streak is kept (not restarted), and with DisableAfter reached A is disabled, once, with its audit entry.
        var retry = Assert.Single(await ClaimAsync(T0.AddSeconds(12)), d => d.EndpointId == a);
        Assert.Equal(toA[1], retry.Id);
        Assert.Equal(1, retry.Attempts);
        disabled = await _store.RecordAttemptsAsync([Outcome(retry, T0.AddSeconds(13), 500, T0.AddSeconds(30), disableIfFailingSince: T0.AddSeconds(2))], Ct);
        Assert.Equal([a], disabled);
        Assert.Equal((Ms.Of(T0.AddSeconds(2)), 0L, 0L), await EndpointStateAsync(a));
        var audit = (await new SqlAuditStore(_db.Database).ListAsync(_account.Id, new AuditQuery { Limit = 100 }, Ct)).Items;
        Assert.Single(audit, e => e.Action == AuditActions.WebhookDisabled && e.ObjectId == a);
        Assert.Equal(2, (await LogAsync(a))[toA[1]].Attempts);
    }

    [Fact]
    public async Task A_claim_that_ran_out_mid_batch_records_nothing_for_the_deliveries_another_server_took_meanwhile()
    {
        var endpoint = await EndpointAsync();
        var ids = await EnqueueAsync(endpoint, 4, T0);
        var first = (await ClaimAsync(T0)).OrderBy(d => d.Id, StringComparer.Ordinal).ToList();
        Assert.Equal(4, first.Count);
        Assert.Empty(await ClaimAsync(T0.AddSeconds(30))); // all held by the first claim

        // The first server records half its batch in time; the lease of the other half runs out and a second server takes them.
        Assert.Empty(await _store.RecordAttemptsAsync([Outcome(first[0], T0.AddSeconds(10), 200, null), Outcome(first[1], T0.AddSeconds(10), 200, null)], Ct));
        var second = await ClaimAsync(T0 + Lease + TimeSpan.FromSeconds(1));
        Assert.Equal(first.Skip(2).Select(d => d.Id), second.Select(d => d.Id).Order(StringComparer.Ordinal));

        // The first server's late outcomes and its give-back are ignored: the second server holds them.
        await _store.RecordAttemptsAsync([Outcome(first[2], T0 + Lease + TimeSpan.FromSeconds(2), 200, null), Outcome(first[3], T0 + Lease + TimeSpan.FromSeconds(2), 500, T0.AddHours(1))], Ct);
        await _store.ReleaseClaimsAsync(first.Skip(2).ToList(), Ct);
        var log = await LogAsync(endpoint);
        Assert.Equal([(WebhookDelivery.Pending, 0), (WebhookDelivery.Pending, 0)], first.Skip(2).Select(d => (log[d.Id].Status, log[d.Id].Attempts)));
        Assert.Equal(2L, (await EndpointStateAsync(endpoint)).ClaimedRows);
        Assert.Empty(await ClaimAsync(T0 + Lease + TimeSpan.FromSeconds(3)));

        // The second server's outcomes count: each delivery attempted once on the record.
        Assert.Empty(await _store.RecordAttemptsAsync([.. second.Select(d => Outcome(d, T0 + Lease + TimeSpan.FromSeconds(4), 200, null))], Ct));
        log = await LogAsync(endpoint);
        Assert.All(ids, id => Assert.Equal((WebhookDelivery.Succeeded, 1), (log[id].Status, log[id].Attempts)));
        Assert.Equal(((long?)null, 1L, 0L), await EndpointStateAsync(endpoint));
    }

    [Fact]
    public async Task A_claim_given_back_unattempted_is_claimed_again_at_once_and_a_busy_endpoint_is_left_out()
    {
        var (a, b) = (await EndpointAsync(), await EndpointAsync());
        await EnqueueAsync(a, 5, T0);
        await EnqueueAsync(b, 5, T0);
        var claimed = await ClaimAsync(T0, perEndpoint: 3);
        // At most perEndpoint of each endpoint's backlog in one claim.
        Assert.Equal([3, 3], claimed.GroupBy(d => d.EndpointId).Select(g => g.Count()));
        // A busy endpoint (its lane full on this server) gets nothing more; the other does.
        Assert.All(await ClaimAsync(T0, perEndpoint: 3, busy: a), d => Assert.Equal(b, d.EndpointId));

        await _store.ReleaseClaimsAsync([.. claimed.Where(d => d.EndpointId == a)], Ct);
        var again = await ClaimAsync(T0.AddSeconds(1), perEndpoint: 10);
        Assert.Equal(5, again.Count(d => d.EndpointId == a));
        Assert.Equal(0, (await LogAsync(a)).Values.Sum(d => d.Attempts));
    }

    [Fact]
    public async Task Servers_claiming_at_once_take_disjoint_batches_and_every_delivery_once()
    {
        var endpoints = new[] { await EndpointAsync(), await EndpointAsync(), await EndpointAsync() };
        var all = new List<string>();
        foreach (var endpoint in endpoints)
        {
            all.AddRange(await EnqueueAsync(endpoint, 60, T0));
        }
        var taken = new ConcurrentBag<(int Server, string Id)>();
        var store = _store;
        // Four claimers (four servers' workers) at once, each until nothing is left for it.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(server => Task.Run(async () =>
        {
            while (true)
            {
                var batch = await store.ClaimDueAsync(T0, T0 + Lease, 25, 8, [], Ct);
                if (batch.Count == 0)
                {
                    return;
                }
                Assert.All(batch.GroupBy(d => d.EndpointId), g => Assert.InRange(g.Count(), 1, 8));
                foreach (var d in batch)
                {
                    taken.Add((server, d.Id));
                }
            }
        }, Ct)));

        Assert.Equal(all.Order(StringComparer.Ordinal), taken.Select(t => t.Id).Order(StringComparer.Ordinal));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"claims by server: {string.Join(", ", taken.GroupBy(t => t.Server).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}"))}");
    }
}
