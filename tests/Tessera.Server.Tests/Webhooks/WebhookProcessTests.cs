using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Tessera.Contracts;
using Tessera.Core.Secrets;
using Tessera.Server.Webhooks;

namespace Tessera.Server.Tests.Webhooks;

/// <summary>
/// Issue 14 with real server processes delivering to a real loopback receiver (signatures checked by the StandardWebhooks
/// package): a SIGKILL in the middle of a burst of token changes, two servers sharing PostgreSQL, and expiry warnings
/// end to end on a short ExpiryScanInterval. Counts are written to the test output (docs/perf.md quotes them).
/// </summary>
public sealed class WebhookProcessTests : IAsyncLifetime
{
    private readonly string _key = SecretFormat.Generate(SecretKind.LicenseKey);
    private readonly List<string> _directories = [];
    private WebhookReceiver _receiver = null!;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static void Report(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    public async ValueTask InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    private Dictionary<string, string> Environment(string connectionString, string provider = "sqlite") => new()
    {
        ["Tessera__Database__Provider"] = provider,
        ["Tessera__Database__ConnectionString"] = connectionString,
        ["Tessera__Bootstrap__LicenseKey"] = _key,
        ["Tessera__Webhooks__AllowHttp"] = "true",
        ["Tessera__Webhooks__AllowPrivateNetworks"] = "true",
        ["Tessera__Webhooks__RetrySchedule"] = "00:00:01,00:00:01,00:00:01",
        ["Logging__LogLevel__Default"] = "Warning",
    };

    private string NewDirectory()
    {
        var directory = Directory.CreateTempSubdirectory("tessera-hooks-").FullName;
        _directories.Add(directory);
        return directory;
    }

    private HttpClient Client(ServerProcess server)
    {
        var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _key);
        return client;
    }

    private async Task<(CreatedWebhookResponse Endpoint, string Path)> SubscribeAsync(HttpClient client, string[] events, bool hang = false)
    {
        var path = Guid.NewGuid().ToString("N");
        var endpoint = await (await client.PostJsonAsync("/v1/webhooks", new { url = _receiver.Answer(path, hang: hang), events }))
            .ReadAsync<CreatedWebhookResponse>(HttpStatusCode.Created);
        _receiver.Trust(path, endpoint.Secret);
        return (endpoint, path);
    }

    private static async Task<List<TokenResponse>> ListTokensAsync(HttpClient client)
    {
        var tokens = new List<TokenResponse>();
        string? cursor = null;
        do
        {
            var page = await (await client.GetAsync("/v1/tokens?limit=200" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"), Cancel))
                .ReadAsync<PageResponse<TokenResponse>>();
            tokens.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return tokens;
    }

    /// <summary>The token id of each token.created event received on <paramref name="path"/>, with how many requests carried its webhook-id.</summary>
    private Dictionary<string, (string TokenId, int Requests)> CreatedEvents(string path) =>
        _receiver.To(path).Where(r => r.Type == "token.created").GroupBy(r => r.Id)
            .ToDictionary(g => g.Key, g => ((string)g.First().Json["data"]!["id"]!, g.Count()));

    [Fact]
    public async Task After_a_sigkill_mid_burst_every_committed_change_is_delivered_and_nothing_that_did_not_commit()
    {
        // The kill comes within the first 200 changes; the workers go on creating until it lands (at most ten times as many),
        // so requests are always on the wire when it does, however quickly the server answers. With a burst of exactly 200,
        // a fast server had acknowledged all of them before the kill arrived.
        const int Changes = 200;
        const int Limit = Changes * 10;
        const int Workers = 8;
        var directory = NewDirectory();
        var environment = Environment($"Data Source={Path.Combine(directory, "tessera.db")}");
        var acknowledged = new ConcurrentDictionary<string, string>(StringComparer.Ordinal); // token id → name
        var unanswered = new ConcurrentBag<(string Name, long StartedAt)>();
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        string path;
        long killedAt;
        await using (var server = await ServerProcess.StartAsync(directory, environment))
        {
            using var client = Client(server);
            (_, path) = await SubscribeAsync(client, ["token.created"]);
            var next = -1;
            async Task WorkAsync()
            {
                for (var i = Interlocked.Increment(ref next); i < Limit; i = Interlocked.Increment(ref next))
                {
                    var name = $"burst-{i:D4}";
                    var startedAt = Stopwatch.GetTimestamp();
                    try
                    {
                        var response = await client.PostJsonAsync("/v1/tokens", new { name });
                        var created = await response.ReadAsync<CreatedTokenResponse>(HttpStatusCode.Created);
                        acknowledged[created.Id] = name;
                        // Kill once 100 changes are acknowledged and deliveries have begun (so attempts are cut short too), or at
                        // the 200th if the burst outruns the worker's first poll.
                        if ((acknowledged.Count >= Changes / 2 && !_receiver.Requests.IsEmpty) || acknowledged.Count >= Changes)
                        {
                            enough.TrySetResult();
                        }
                    }
                    catch (HttpRequestException)
                    {
                        unanswered.Add((name, startedAt));
                    }
                }
            }
            var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(WorkAsync, Cancel)).ToArray();
            await enough.Task.WaitAsync(Cancel);
            await server.StopAsync(); // SIGKILL; returns once the process is gone
            killedAt = Stopwatch.GetTimestamp();
            await Task.WhenAll(workers);
        }
        var inFlight = unanswered.Where(u => u.StartedAt < killedAt).Select(u => u.Name).ToHashSet(StringComparer.Ordinal);
        Assert.True(inFlight.Count > 0, $"The kill did not land mid-burst ({acknowledged.Count} acknowledged, {unanswered.Count} unanswered).");
        Assert.True(acknowledged.Count < Limit, "Every change was acknowledged: the kill came after the burst.");
        var deliveredBeforeKill = CreatedEvents(path).Count;

        await using var restarted = await ServerProcess.StartAsync(directory, environment);
        using var after = Client(restarted);
        // What committed is what the restarted server has: the acknowledged changes, and perhaps some that were on the wire.
        var committed = (await ListTokensAsync(after)).Where(t => t.Name.StartsWith("burst-", StringComparison.Ordinal)).ToDictionary(t => t.Id, t => t.Name);
        Assert.Subset(committed.Keys.ToHashSet(), acknowledged.Keys.ToHashSet());
        var committedUnacknowledged = committed.Where(c => !acknowledged.ContainsKey(c.Key)).ToList();
        Assert.All(committedUnacknowledged, c => Assert.Contains(c.Value, inFlight));

        var (events, _) = await Poll.UntilAsync(() => Task.FromResult(CreatedEvents(path)),
            e => committed.Keys.All(id => e.Values.Any(v => v.TokenId == id)), TimeSpan.FromSeconds(120));
        // Every committed change's event arrived, acknowledged or not; no event for anything that did not commit.
        Assert.Equal(committed.Keys.Order(StringComparer.Ordinal), events.Values.Select(v => v.TokenId).Distinct().Order(StringComparer.Ordinal));
        // One event per change (each change wrote one outbox row), every one signed with the endpoint's secret.
        Assert.Equal(committed.Count, events.Count);
        Assert.All(_receiver.To(path), r => Assert.NotEmpty(r.VerifiedBy));
        var duplicates = events.Values.Sum(v => v.Requests - 1);
        Assert.All(events.Values, v => Assert.InRange(v.Requests, 1, 2)); // a second request only for an attempt the kill cut short
        Report($"sigkill mid-burst: kill called for within {Changes} creations, {acknowledged.Count} acknowledged, {inFlight.Count} in flight at the kill " +
               $"({committedUnacknowledged.Count} of them committed), {deliveredBeforeKill} events delivered before the kill, " +
               $"{events.Count} events delivered in all, {duplicates} duplicate requests.");
    }

    [Fact]
    public async Task A_server_with_deliveries_off_writes_the_events_and_a_server_sharing_its_database_delivers_them()
    {
        const int Changes = 40;
        var directory = NewDirectory();
        var environment = Environment($"Data Source={Path.Combine(directory, "tessera.db")}");
        // Servers sharing a database share the Data Protection keys (ADR 0015): the deliverer opens the secret the other sealed.
        environment["Tessera__Console__KeysDirectory"] = NewDirectory();
        // The server that answers the API with deliveries off, and one that delivers, on the same SQLite file.
        await using var api = await ServerProcess.StartAsync(directory, new Dictionary<string, string>(environment) { ["Tessera__Webhooks__Deliver"] = "false" });
        await using var deliverer = await ServerProcess.StartAsync(NewDirectory(), environment);
        using var client = Client(api);
        var (_, path) = await SubscribeAsync(client, ["token.created"]);
        var created = new List<string>();
        for (var i = 0; i < Changes; i++)
        {
            created.Add((await (await client.PostJsonAsync("/v1/tokens", new { name = $"elsewhere-{i:D2}" })).ReadAsync<CreatedTokenResponse>(HttpStatusCode.Created)).Id);
        }

        var (events, _) = await Poll.UntilAsync(() => Task.FromResult(CreatedEvents(path)), e => e.Count >= Changes, TimeSpan.FromSeconds(60));
        Assert.Equal(created.Order(StringComparer.Ordinal), events.Values.Select(v => v.TokenId).Order(StringComparer.Ordinal));
        Assert.All(_receiver.To(path), r => Assert.NotEmpty(r.VerifiedBy));
        // Every attempt was the deliverer's: the server that took the changes made none.
        Assert.Equal(0, await SucceededAttemptsAsync(api));
        Assert.Equal(Changes, await SucceededAttemptsAsync(deliverer));
    }

    [Fact]
    public async Task Two_servers_on_postgres_deliver_each_of_500_events_with_every_duplicate_explained_by_a_retry()
    {
        TestPostgres.Require();
        const int Events = 500;
        var database = await TestPostgres.CreateEmptyAsync();
        try
        {
            var environment = Environment(database, "postgres");
            // Servers sharing a database share the Data Protection keys folder (ADR 0015), as an operator must set it up:
            // an endpoint's secret sealed by one server is opened by the other when it delivers.
            environment["Tessera__Console__KeysDirectory"] = NewDirectory();
            var servers = await Task.WhenAll(ServerProcess.StartAsync(NewDirectory(), environment), ServerProcess.StartAsync(NewDirectory(), environment));
            await using var a = servers[0];
            await using var b = servers[1];
            using var clientA = Client(a);
            using var clientB = Client(b);
            // The receiver holds every request until more are open at once than one server may have in flight to an endpoint:
            // then both servers are attempting, whichever of them is quicker to claim (left alone, one sometimes took all 500).
            var (endpoint, path) = await SubscribeAsync(clientA, ["token.created"], hang: true);

            var next = -1;
            var created = new ConcurrentBag<string>();
            async Task WorkAsync(HttpClient client)
            {
                for (var i = Interlocked.Increment(ref next); i < Events; i = Interlocked.Increment(ref next))
                {
                    created.Add((await (await client.PostJsonAsync("/v1/tokens", new { name = $"pair-{i:D3}" })).ReadAsync<CreatedTokenResponse>(HttpStatusCode.Created)).Id);
                }
            }
            await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(() => WorkAsync(w % 2 == 0 ? clientA : clientB), Cancel)));
            Assert.Equal(Events, created.Count);
            var (held, _) = await Poll.UntilAsync(() => Task.FromResult(_receiver.Hanging(path)), n => n > WebhookDispatcher.PerEndpoint, TimeSpan.FromSeconds(30));
            Assert.True(held > WebhookDispatcher.PerEndpoint, $"{held} attempts held at once; A: {a.Stdout}{a.Stderr}\nB: {b.Stdout}{b.Stderr}");
            _receiver.Release(path);

            // Wait until the deliveries log says every delivery succeeded, then count what the receiver got.
            async Task<List<WebhookDeliveryResponse>> LogAsync()
            {
                var items = new List<WebhookDeliveryResponse>();
                string? cursor = null;
                do
                {
                    var page = await (await clientB.GetAsync($"/v1/webhooks/{endpoint.Id}/deliveries?limit=200" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"), Cancel))
                        .ReadAsync<PageResponse<WebhookDeliveryResponse>>();
                    items.AddRange(page.Items);
                    cursor = page.NextCursor;
                }
                while (cursor is not null);
                return items;
            }
            var (log, elapsed) = await Poll.UntilAsync(LogAsync, l => l.Count == Events && l.All(d => d.Status == "succeeded"), TimeSpan.FromSeconds(120));
            Assert.Equal(Events, log.Count);
            Assert.True(log.All(d => d.Status == "succeeded"),
                $"{log.Count(d => d.Status != "succeeded")} not delivered after {elapsed}; A: {a.Stdout}{a.Stderr}\nB: {b.Stdout}{b.Stderr}");
            var events = CreatedEvents(path);
            Assert.Equal(created.Order(StringComparer.Ordinal), events.Values.Select(v => v.TokenId).Order(StringComparer.Ordinal));
            Assert.All(_receiver.To(path), r => Assert.NotEmpty(r.VerifiedBy));

            // A request beyond the first for one event is a duplicate; each must be a recorded retry (an attempt counted in the
            // log), never two servers attempting one delivery at once.
            var duplicates = events.Values.Sum(v => v.Requests - 1);
            var retries = log.Sum(d => d.Attempts - 1);
            Assert.Equal(retries, duplicates);
            Assert.All(events.Values, v => Assert.InRange(v.Requests, 1, 2));
            var (byA, byB) = (await SucceededAttemptsAsync(a), await SucceededAttemptsAsync(b));
            Assert.Equal(Events + duplicates, byA + byB);
            Assert.True(byA > 0 && byB > 0, $"One server delivered everything (A {byA}, B {byB}): the test did not exercise claiming by two.");
            Report($"two servers on PostgreSQL: {Events} events, all delivered ({elapsed.TotalSeconds:F1} s after the last creation); " +
                   $"server A delivered {byA}, server B {byB}; {duplicates} duplicate requests, {retries} retries.");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Npgsql.NpgsqlConnection.ClearAllPools();
            await TestPostgres.DropAsync(database);
        }
    }

    /// <summary>The server's own count of successful attempts, from its /metrics (loopback may read them by default).</summary>
    private static async Task<long> SucceededAttemptsAsync(ServerProcess server)
    {
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var text = await http.GetStringAsync("/metrics", Cancel);
        return text.Split('\n')
            .Where(l => l.StartsWith("tessera_webhook_deliveries_total{", StringComparison.Ordinal) && l.Contains("result=\"succeeded\"", StringComparison.Ordinal))
            .Sum(l => (long)double.Parse(l.Split(' ')[1], CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Expiry_warnings_arrive_end_to_end_from_a_real_server_scanning_every_second()
    {
        var directory = NewDirectory();
        var environment = Environment($"Data Source={Path.Combine(directory, "tessera.db")}");
        environment["Tessera__Webhooks__ExpiryScanInterval"] = "00:00:01";
        await using var server = await ServerProcess.StartAsync(directory, environment);
        using var client = Client(server);
        var (_, path) = await SubscribeAsync(client, ["token.expiring", "token.expired"]);

        async Task<string> ExpiringAsync(string name, TimeSpan @in)
        {
            var token = await (await client.PostJsonAsync("/v1/tokens", new { name })).ReadAsync<CreatedTokenResponse>(HttpStatusCode.Created);
            await (await client.PatchJsonAsync($"/v1/tokens/{token.Id}", new { expiresAt = TimeProvider.System.GetUtcNow() + @in })).ReadAsync<TokenResponse>();
            return token.Id;
        }
        List<JsonObject> About(string tokenId) =>
            [.. _receiver.To(path).Select(r => r.Json).Where(j => (string?)j["data"]?["id"] == tokenId)];

        // 20 s leaves room for several scans (each second) before the expiry, on a loaded machine too.
        var soon = await ExpiringAsync("soon", TimeSpan.FromSeconds(20));
        var (first, _) = await Poll.UntilAsync(() => Task.FromResult(About(soon)), e => e.Any(j => (string)j["type"]! == "token.expired"), TimeSpan.FromSeconds(60));
        // A second token's expiry, seen after several more scans, shows the first got nothing more.
        var sentinel = await ExpiringAsync("sentinel", TimeSpan.FromSeconds(2));
        await Poll.UntilAsync(() => Task.FromResult(About(sentinel)), e => e.Any(j => (string)j["type"]! == "token.expired"), TimeSpan.FromSeconds(60));

        var events = About(soon);
        // Set to expire within a day (not within 7 days first): only the P1D warning, once, then token.expired once.
        Assert.Equal(["token.expired", "token.expiring"], events.Select(j => (string)j["type"]!).Order(StringComparer.Ordinal));
        Assert.Equal("P1D", (string)events.Single(j => (string)j["type"]! == "token.expiring")["data"]!["expiresIn"]!);
        Assert.All(events, j => Assert.Equal(soon, (string)j["data"]!["id"]!));
        Assert.Single(About(sentinel), j => (string)j["type"]! == "token.expired");
        Assert.All(_receiver.To(path), r => Assert.NotEmpty(r.VerifiedBy));
        Assert.NotEmpty(first);
    }

    public async ValueTask DisposeAsync()
    {
        await _receiver.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var directory in _directories)
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort.
            }
        }
    }
}
