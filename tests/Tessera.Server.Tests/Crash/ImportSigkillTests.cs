using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Tessera.Contracts;
using Tessera.Core.Imports;
using Tessera.Core.Secrets;

namespace Tessera.Server.Tests.Crash;

/// <summary>
/// Issue 17: the real server process is killed with SIGKILL while it streams the answer of a 20,000-row import, then
/// restarted on the same database. What is stored is whole batches only (a multiple of the batch size, rows 1..n in
/// order), it includes every row the client received, each received token works, and the same Idempotency-Key again
/// answers 409 import_already_done with complete = false and the ids of exactly the stored rows, never a secret: the
/// client learns what exists without a duplicate being made (ADR 0017, "After a crash").
/// </summary>
public abstract class ImportSigkillTests : IAsyncLifetime
{
    private const int Rows = 20_000;
    private const int BatchesBeforeKill = 3;

    private readonly string _directory = System.IO.Directory.CreateTempSubdirectory("tessera-import-crash-").FullName;
    private readonly string _key = SecretFormat.Generate(SecretKind.LicenseKey);

    /// <summary>The provider's settings (database and connection string).</summary>
    protected abstract Task<Dictionary<string, string>> DatabaseAsync();

    protected virtual Task DropDatabaseAsync() => Task.CompletedTask;

    protected string DataDirectory => _directory;

    public sealed class OnSqlite : ImportSigkillTests
    {
        protected override Task<Dictionary<string, string>> DatabaseAsync() =>
            Task.FromResult(new Dictionary<string, string> { ["Tessera__Database__ConnectionString"] = $"Data Source={Path.Combine(DataDirectory, "tessera.db")}" });

        protected override Task DropDatabaseAsync()
        {
            SqliteConnection.ClearAllPools();
            return Task.CompletedTask;
        }
    }

    public sealed class OnPostgres : ImportSigkillTests
    {
        private string? _connectionString;

        public OnPostgres() => TestPostgres.Require();

        protected override async Task<Dictionary<string, string>> DatabaseAsync()
        {
            _connectionString = await TestPostgres.CreateEmptyAsync();
            return new Dictionary<string, string> { ["Tessera__Database__Provider"] = "postgres", ["Tessera__Database__ConnectionString"] = _connectionString };
        }

        protected override async Task DropDatabaseAsync()
        {
            if (_connectionString is not null)
            {
                await TestPostgres.DropAsync(_connectionString);
            }
        }
    }

    private Dictionary<string, string> _environment = [];

    public async ValueTask InitializeAsync()
    {
        _environment = await DatabaseAsync();
        _environment["Tessera__Bootstrap__LicenseKey"] = _key;
        _environment["Logging__LogLevel__Default"] = "Warning";
    }

    [Fact]
    public async Task A_sigkill_mid_import_leaves_whole_batches_holding_every_received_row_and_the_replay_answers_409_with_their_ids()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var idempotencyKey = Guid.NewGuid().ToString();
        string workloadId;
        byte[] file;
        var received = new List<(int Row, string Id, string Name, string Secret)>();
        await using (var server = await ServerProcess.StartAsync(_directory, _environment))
        {
            using var client = Client(server);
            workloadId = (await (await client.PostJsonAsync("/v1/workloads", new { name = "classroom" })).ReadAsync<WorkloadResponse>(HttpStatusCode.Created)).Id;
            file = ImportFile(workloadId);
            using var response = await ImportAsync(client, file, idempotencyKey, cancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(Rows.ToString(CultureInfo.InvariantCulture), response.Headers.GetValues("X-Import-Rows").Single());
            var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
            Assert.Equal("row,id,name,workloadId,token", await reader.ReadLineAsync(cancellationToken));
            var killed = false;
            try
            {
                while (await reader.ReadLineAsync(cancellationToken) is { } line)
                {
                    var fields = line.Split(',');
                    // A line cut by the kill is not a row the client can use: only whole, well-formed ones count.
                    if (fields.Length == 5 && SecretFormat.IsWellFormed(fields[4], SecretKind.QueryToken))
                    {
                        received.Add((int.Parse(fields[0], CultureInfo.InvariantCulture), fields[1], fields[2], fields[4]));
                    }
                    if (!killed && received.Count >= BatchesBeforeKill * TokenImportService.BatchSize)
                    {
                        await server.StopAsync(); // SIGKILL: no shutdown of any kind
                        killed = true;
                    }
                }
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                // The connection died with the process: what arrived before is all the client has.
            }
            Assert.True(killed, "The import finished before enough batches arrived to kill the server mid-import.");
        }
        Assert.Equal(Enumerable.Range(1, received.Count), received.Select(r => r.Row));

        await using (var restarted = await ServerProcess.StartAsync(_directory, _environment))
        {
            using var client = Client(restarted);
            var stored = await StoredAsync(client, cancellationToken);
            TestContext.Current.TestOutputHelper?.WriteLine(
                $"figure: import crash: {received.Count} rows received before SIGKILL, {stored.Count} stored ({stored.Count / TokenImportService.BatchSize} whole batches) of {Rows}");
            Assert.True(stored.Count % TokenImportService.BatchSize == 0, $"{stored.Count} tokens stored: not whole batches of {TokenImportService.BatchSize}.");
            Assert.True(stored.Count < Rows, "Every row was stored: the kill did not land mid-import.");
            Assert.True(stored.Count >= received.Count, $"{received.Count} rows were received, only {stored.Count} stored.");
            // Rows 1..n in order, each with the id and name the client was given; nothing else.
            Assert.Equal(Enumerable.Range(1, stored.Count).Select(Name).ToHashSet(), stored.Values.Select(t => t.Name).ToHashSet());
            foreach (var row in received)
            {
                Assert.True(stored.TryGetValue(row.Id, out var token), $"Row {row.Row} ({row.Id}) was received and is not stored.");
                Assert.Equal((row.Name, workloadId), (token.Name, token.WorkloadId));
            }
            foreach (var row in new[] { received[0], received[received.Count / 2], received[^1] })
            {
                using var query = new HttpRequestMessage(HttpMethod.Post, "/v1/handshake");
                query.Headers.Authorization = new AuthenticationHeaderValue("Bearer", row.Secret);
                Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(query, cancellationToken)).StatusCode);
            }

            // The replay: refused, with the ids of exactly the stored rows; the secrets never again; nothing created.
            using var replay = await ImportAsync(client, file, idempotencyKey, cancellationToken);
            Assert.Equal(HttpStatusCode.Conflict, replay.StatusCode);
            var body = await replay.Content.ReadAsStringAsync(cancellationToken);
            Assert.DoesNotContain(SecretFormat.QueryTokenPrefix, body, StringComparison.Ordinal);
            var problem = JsonDocument.Parse(body).RootElement;
            Assert.Equal("import_already_done", problem.GetProperty("code").GetString());
            Assert.Equal(Rows, problem.GetProperty("rowCount").GetInt32());
            Assert.False(problem.GetProperty("complete").GetBoolean());
            var items = problem.GetProperty("items").EnumerateArray().Select(i => (Row: i.GetProperty("row").GetInt32(), Id: i.GetProperty("id").GetString()!)).ToList();
            Assert.Equal(Enumerable.Range(1, stored.Count), items.Select(i => i.Row).Order());
            Assert.Equal(stored.Keys.Order(), items.Select(i => i.Id).Order());
            Assert.Equal(stored.Count, (await StoredAsync(client, cancellationToken)).Count);
        }
    }

    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        await DropDatabaseAsync();
        try
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory left behind is harmless.
        }
    }

    private static string Name(int row) => "crash-" + row.ToString(CultureInfo.InvariantCulture);

    private static byte[] ImportFile(string workloadId)
    {
        var text = new StringBuilder("name,workloadId\n", Rows * 50);
        for (var i = 1; i <= Rows; i++)
        {
            text.Append(Name(i)).Append(',').Append(workloadId).Append('\n');
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static async Task<HttpResponseMessage> ImportAsync(HttpClient client, byte[] file, string key, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/tokens/import") { Content = new ByteArrayContent(file) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        request.Headers.Add("Idempotency-Key", key);
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary>Every stored token (the CSV export: all pages): id → (name, workloadId).</summary>
    private static async Task<Dictionary<string, (string Name, string? WorkloadId)>> StoredAsync(HttpClient client, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/tokens");
        request.Headers.Accept.ParseAdd("text/csv");
        using var response = await client.SendAsync(request, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = (await response.Content.ReadAsStringAsync(cancellationToken)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("id,name,workloadId,", lines[0], StringComparison.Ordinal);
        return lines.Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[0], f => (f[1], (string?)f[2]));
    }

    private HttpClient Client(ServerProcess server)
    {
        var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _key);
        return client;
    }
}
