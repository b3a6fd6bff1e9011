using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Data.Sqlite;
using Tessera.Contracts;
using Tessera.Core.Secrets;

namespace Tessera.Server.Tests.Crash;

/// <summary>
/// Issue #7 §4: the real server process is killed with SIGKILL in the middle of a burst of concurrent
/// token creations and updates, restarted on the same SQLite file, and every change it acknowledged
/// with a 2xx must be there, every token consistent, and nothing there that was never asked for.
/// </summary>
public sealed class SigkillTests : IDisposable
{
    private const int Workers = 8;
    private const int AcknowledgedBeforeKill = 300;

    private readonly string _directory = Directory.CreateTempSubdirectory("tessera-crash-").FullName;
    private readonly string _key = SecretFormat.Generate(SecretKind.LicenseKey);

    private Dictionary<string, string> Environment => new()
    {
        ["Tessera__Database__ConnectionString"] = $"Data Source={DatabasePath}",
        ["Tessera__Bootstrap__LicenseKey"] = _key,
        ["Logging__LogLevel__Default"] = "Warning",
    };

    private string DatabasePath => Path.Combine(_directory, "tessera.db");

    [Fact]
    public async Task Every_acknowledged_change_survives_a_sigkill_mid_burst_and_every_token_is_consistent()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var journal = new Journal();
        string workloadId;
        int inFlightAtKill;
        await using (var server = await ServerProcess.StartAsync(_directory, Environment))
        {
            using var client = Client(server);
            workloadId = (await (await client.PostJsonAsync("/v1/workloads", new { name = "llama-3" })).ReadAsync<WorkloadResponse>(HttpStatusCode.Created)).Id;

            var workers = Enumerable.Range(0, Workers).Select(w => Task.Run(() => WorkAsync(client, w, workloadId, journal), cancellationToken)).ToArray();
            await journal.Enough.Task.WaitAsync(cancellationToken);
            await server.StopAsync(); // Process.Kill: SIGKILL, no shutdown of any kind; returns once the process is gone
            journal.KilledAt = Stopwatch.GetTimestamp();
            await Task.WhenAll(workers);
            inFlightAtKill = journal.Unacknowledged.Count(u => u.StartedAt < journal.KilledAt);
        }
        // Requests sent before the process was gone and never answered: the kill landed mid-burst.
        Assert.True(inFlightAtKill > 0, $"The kill did not land in the middle of the burst ({journal.Unacknowledged.Count} unacknowledged).");

        await using (var restarted = await ServerProcess.StartAsync(_directory, Environment))
        {
            using var client = Client(restarted);
            var stored = await ListAllAsync(client);
            var checkedWrites = 0;
            foreach (var (id, acknowledged) in journal.LastAcknowledged)
            {
                Assert.True(stored.TryGetValue(id, out var token), $"Token {id} was acknowledged (version {acknowledged.Version}) and is gone.");
                var pending = journal.Unacknowledged.SingleOrDefault(u => u.TokenId == id);
                if (token.Version == acknowledged.Version)
                {
                    Assert.Equal(Facts(acknowledged), Facts(token));
                }
                else
                {
                    // Only the one change that was on the wire when the process died may have landed on top.
                    Assert.True(pending is not null && token.Version == acknowledged.Version + 1,
                        $"Token {id}: acknowledged version {acknowledged.Version}, stored {token.Version}.");
                    Assert.Equal(pending.Expected(Facts(acknowledged)), Facts(token));
                }
                Assert.Equal(token, await (await client.GetAsync($"/v1/tokens/{id}")).ReadAsync<TokenResponse>());
                checkedWrites += journal.AcknowledgedWrites(id);
            }
            var unasked = stored.Keys.Except(journal.LastAcknowledged.Keys)
                .Where(id => !journal.Unacknowledged.Any(u => u.Kind == "create" && u.CreatedName == stored[id].Name)).ToList();
            Assert.True(unasked.Count == 0, $"Tokens nobody was told about: {string.Join(", ", unasked)}");
            foreach (var token in stored.Values)
            {
                Assert.True(token.WorkloadId is null || token.WorkloadId == workloadId, token.Id);
                Assert.Equal(token.Status == "cancelled" ? "cancelled" : token.WorkloadId is null ? "unassigned" : "usable", token.State);
            }
            Assert.Equal("ok", await IntegrityCheckAsync());
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"figure: crash: {checkedWrites} acknowledged writes ({journal.LastAcknowledged.Count} creations) checked after SIGKILL, all present; " +
                $"{inFlightAtKill} requests in flight at the kill, {stored.Count} tokens consistent");
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory left behind is harmless.
        }
    }

    /// <summary>One worker: issue a token, then change one field after another, each change waiting for the last.</summary>
    private static async Task WorkAsync(HttpClient client, int worker, string workloadId, Journal journal)
    {
        for (var n = 0; ; n++)
        {
            var name = $"w{worker}-t{n}";
            var create = new PendingWrite(null, "create", Stopwatch.GetTimestamp()) { CreatedName = name };
            TokenResponse? token = await TryAsync(journal, create, () => client.PostJsonAsync("/v1/tokens", new { name, workloadId }), HttpStatusCode.Created);
            if (token is null)
            {
                return;
            }
            object[] changes = [new { note = $"note {n}" }, new { name = $"{name} renamed" }, new { workloadId = (string?)null }, new { workloadId }, new { status = "cancelled" }];
            foreach (var change in changes)
            {
                var pending = new PendingWrite(token.Id, "patch", Stopwatch.GetTimestamp()) { Change = change };
                token = await TryAsync(journal, pending, () => client.PatchJsonAsync($"/v1/tokens/{token.Id}", change), HttpStatusCode.OK);
                if (token is null)
                {
                    return;
                }
            }
        }
    }

    private static async Task<TokenResponse?> TryAsync(Journal journal, PendingWrite write, Func<Task<HttpResponseMessage>> send, HttpStatusCode expected)
    {
        try
        {
            var response = await send();
            var token = await response.ReadAsync<TokenResponse>(expected);
            journal.Acknowledge(token);
            return token;
        }
        catch (HttpRequestException)
        {
            journal.Unacknowledged.Add(write);
            return null;
        }
    }

    private static (string Name, string Note, string? WorkloadId, string Status, DateTimeOffset ExpiresAt) Facts(TokenResponse t) =>
        (t.Name, t.Note, t.WorkloadId, t.Status, t.ExpiresAt);

    private static async Task<Dictionary<string, TokenResponse>> ListAllAsync(HttpClient client)
    {
        var all = new Dictionary<string, TokenResponse>();
        string? cursor = null;
        do
        {
            var page = await (await client.GetAsync("/v1/tokens?limit=200" + (cursor is null ? "" : $"&cursor={cursor}"))).ReadAsync<PageResponse<TokenResponse>>();
            foreach (var token in page.Items)
            {
                all.Add(token.Id, token);
            }
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return all;
    }

    private async Task<string> IntegrityCheckAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private HttpClient Client(ServerProcess server)
    {
        var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _key);
        return client;
    }

    /// <summary>A write that was sent (or about to be) when the server died: it may or may not have landed.</summary>
    private sealed record PendingWrite(string? TokenId, string Kind, long StartedAt)
    {
        public string? CreatedName { get; init; }

        public object? Change { get; init; }

        public (string Name, string Note, string? WorkloadId, string Status, DateTimeOffset ExpiresAt) Expected(
            (string Name, string Note, string? WorkloadId, string Status, DateTimeOffset ExpiresAt) before)
        {
            var json = System.Text.Json.JsonSerializer.SerializeToElement(Change, HttpExtensions.Json);
            var field = json.EnumerateObject().Single();
            return field.Name switch
            {
                "note" => before with { Note = field.Value.GetString()! },
                "name" => before with { Name = field.Value.GetString()! },
                "workloadId" => before with { WorkloadId = field.Value.GetString() },
                _ => before with { Status = field.Value.GetString()! },
            };
        }
    }

    private sealed class Journal
    {
        private readonly ConcurrentDictionary<string, TokenResponse> _last = new();
        private readonly ConcurrentDictionary<string, int> _writes = new();
        private int _acknowledged;

        public TaskCompletionSource Enough { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentBag<PendingWrite> Unacknowledged { get; } = [];

        public long KilledAt { get; set; } = long.MaxValue;

        public IReadOnlyDictionary<string, TokenResponse> LastAcknowledged => _last;

        public int AcknowledgedWrites(string id) => _writes.GetValueOrDefault(id);

        public void Acknowledge(TokenResponse token)
        {
            // Each token is written by one worker in turn, so the newest acknowledgement is the highest version.
            _last[token.Id] = token;
            _writes.AddOrUpdate(token.Id, 1, (_, n) => n + 1);
            if (Interlocked.Increment(ref _acknowledged) == AcknowledgedBeforeKill)
            {
                Enough.TrySetResult();
            }
        }
    }
}
