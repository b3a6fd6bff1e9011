using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Tessera.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Lattica;

/// <summary>
/// Issue 13: Lattica's list_tokens and list_models write their JSON page by page, so memory stays bounded for
/// any account: the first page is on the client's side of the wire while the second has not been read from
/// the store, and the whole answer says exactly what /v1 lists (every page, in the same order, the same
/// fields as the list built in memory had).
/// </summary>
public abstract class LatticaListStreamingTests(TesseraApp app, ListGate gate)
{
    public sealed class OnSqlite(SqliteListApp fixture) : LatticaListStreamingTests(fixture.App, fixture.Gate), IClassFixture<SqliteListApp>;

    public sealed class OnPostgres(PostgresListApp fixture) : LatticaListStreamingTests(fixture.App.Require(), fixture.Gate), IClassFixture<PostgresListApp>;

    /// <summary>The store's page size for Lattica lists (PageRequest.MaxLimit): more items than this make two pages.</summary>
    private const int PageSize = 200;

    /// <summary>How long a test waits for what the server should do at once; only a broken server makes it wait this long.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static string Body(JsonObject fields)
    {
        fields["client_info"] = new JsonObject { ["module"] = "lattica_management", ["version"] = "0.1.6" };
        return fields.ToJsonString();
    }

    [Fact]
    public async Task List_tokens_streams_every_page_and_says_what_v1_lists()
    {
        var account = await app.NewAccountAsync();
        var model = await account.CreateWorkloadAsync("primary");
        for (var i = 0; i < PageSize + 7; i++)
        {
            // Some unassigned, some with a note, names that JSON must escape; a clock that moves now and then,
            // so pages split both between equal and different instants.
            var token = await account.CreateTokenAsync($"user-{i:000} \"<é>\"", i % 50 == 49 ? null : model.Id, i % 4 == 0 ? $"note {i}" : null);
            if (i % 40 == 0)
            {
                await account.PatchTokenAsync(token.Id, new { status = "cancelled" });
            }
            if (i % 5 == 4)
            {
                app.Time.Advance(TimeSpan.FromMilliseconds(1));
            }
        }

        var all = await V1TokensAsync(account, "");
        Assert.Equal(PageSize + 7, all.Count);
        var text = await StreamedAsync(account.Client, "/api/token/list_tokens", new JsonObject(), all.Take(PageSize).Select(t => t.Id), all.Skip(PageSize).Select(t => t.Id));
        Assert.Equal(TokensAnswer(all), text);

        // Filters page the same way: a model's 203 tokens are two pages, the cancelled ones one.
        var onModel = await V1TokensAsync(account, $"&workloadId={model.Id}");
        Assert.True(onModel.Count > PageSize);
        Assert.Equal(TokensAnswer(onModel), await PostTextAsync(account.Client, "/api/token/list_tokens", new JsonObject { ["modelId"] = model.Id }));
        var cancelled = await V1TokensAsync(account, "&status=cancelled");
        Assert.Equal(6, cancelled.Count);
        Assert.Equal(TokensAnswer(cancelled), await PostTextAsync(account.Client, "/api/token/list_tokens", new JsonObject { ["status"] = "CANCELED" }));
    }

    [Fact]
    public async Task List_models_streams_every_page_and_says_what_v1_lists()
    {
        var account = await app.NewAccountAsync();
        for (var i = 0; i < PageSize + 5; i++)
        {
            await account.CreateWorkloadAsync(i % 2 == 0 ? $"Model-{i:000}" : $"model-{i:000}", i % 3 == 0 ? "" : $"for <team> {i}");
        }

        var all = new List<WorkloadResponse>();
        string? cursor = null;
        do
        {
            var page = await (await account.Client.GetAsync($"/v1/workloads?limit={PageSize}{CursorParameter(cursor)}", TestContext.Current.CancellationToken))
                .ReadAsync<PageResponse<WorkloadResponse>>();
            all.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        Assert.Equal(PageSize + 5, all.Count);

        var text = await StreamedAsync(account.Client, "/api/model/list_models", new JsonObject(), all.Take(PageSize).Select(w => w.Id), all.Skip(PageSize).Select(w => w.Id));

        var models = new JsonArray([.. all.Select(w => (JsonNode)new JsonObject
        {
            ["modelId"] = w.Id,
            ["modelName"] = w.Name,
            ["description"] = w.Description,
            ["createdAt"] = w.CreatedAt.ToUnixTimeMilliseconds(),
            ["status"] = "ACTIVE",
        })]);
        Assert.Equal(new JsonObject { ["result"] = new JsonObject { ["models"] = models } }.ToJsonString(), text);
    }

    /// <summary>
    /// Posts a list call with the store's second page held back, and proves the first page reached the client
    /// meanwhile (every id of it, none of the second); then lets the rest come and returns the whole body.
    /// </summary>
    private async Task<string> StreamedAsync(HttpClient client, string endpoint, JsonObject fields, IEnumerable<string> firstPage, IEnumerable<string> later)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var reached = gate.HoldNextLaterPage();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(Body(fields), Encoding.UTF8, "application/json") };
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).WaitAsync(Bound, cancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            await reached.WaitAsync(Bound, cancellationToken);

            var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var received = new MemoryStream();
            var buffer = new byte[16 * 1024];
            var last = firstPage.Last();
            while (!Encoding.UTF8.GetString(received.ToArray()).Contains(last, StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, cancellationToken).AsTask().WaitAsync(Bound, cancellationToken);
                Assert.True(read > 0, "the answer ended before its first page");
                received.Write(buffer, 0, read);
            }
            var sofar = Encoding.UTF8.GetString(received.ToArray());
            Assert.All(firstPage, id => Assert.Contains(id, sofar, StringComparison.Ordinal));
            Assert.All(later, id => Assert.DoesNotContain(id, sofar, StringComparison.Ordinal));

            gate.Release();
            await stream.CopyToAsync(received, cancellationToken);
            return Encoding.UTF8.GetString(received.ToArray());
        }
        finally
        {
            gate.Release();
        }
    }

    private static async Task<string> PostTextAsync(HttpClient client, string endpoint, JsonObject fields)
    {
        var response = await client.SendRawAsync(HttpMethod.Post, endpoint, Body(fields));
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{endpoint}: {(int)response.StatusCode} {text}");
        return text;
    }

    /// <summary>Every token /v1 lists with <paramref name="filter"/>, all pages, in its order.</summary>
    private static async Task<List<TokenResponse>> V1TokensAsync(TestAccount account, string filter)
    {
        var all = new List<TokenResponse>();
        string? cursor = null;
        do
        {
            var page = await account.ListTokensAsync($"?limit={PageSize}{filter}{CursorParameter(cursor)}");
            all.AddRange(page.Items);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return all;
    }

    private static string CursorParameter(string? cursor) => cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}";

    /// <summary>The list_tokens answer as the list built in memory wrote it, the count's message after the list.</summary>
    private static string TokensAnswer(List<TokenResponse> tokens)
    {
        var rows = new JsonArray([.. tokens.Select(t => (JsonNode)new JsonObject
        {
            ["tokenId"] = t.Id,
            ["tokenName"] = t.Name,
            ["tokenNote"] = t.Note,
            ["status"] = t.Status == "active" ? "ACTIVE" : "CANCELED",
            ["modelId"] = t.WorkloadId,
            ["issueDate"] = t.CreatedAt.ToUnixTimeMilliseconds(),
            ["expirationDate"] = t.ExpiresAt.ToUnixTimeMilliseconds(),
        })]);
        return new JsonObject { ["result"] = new JsonObject { ["tokens"] = rows, ["message"] = $"Found {tokens.Count} token(s)." } }.ToJsonString();
    }
}
