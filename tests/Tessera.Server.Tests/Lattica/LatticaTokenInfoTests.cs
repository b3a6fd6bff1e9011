using System.Net;
using System.Text.Json.Nodes;
using Tessera.Core.Secrets;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Lattica;

/// <summary>A server whose query-side store lookups are counted.</summary>
public sealed class LatticaTokenInfoApp() : ControlledApp([]);

/// <summary>
/// Issue 13: get_token_info with the query token as its own bearer is a verification like any other: a
/// malformed value never reaches the store, an unknown one reads it once and is then answered from memory,
/// and a known token is described from memory exactly as the store describes it, whatever its state.
/// </summary>
public sealed class LatticaTokenInfoTests(LatticaTokenInfoApp fixture) : IClassFixture<LatticaTokenInfoApp>
{
    private readonly TesseraApp _app = fixture.App;
    private readonly ControlledStore _store = fixture.Store;

    [Fact]
    public async Task An_unknown_query_token_reads_the_store_once_then_memory_answers_and_a_malformed_one_never_reads_it()
    {
        await _app.WaitForChangeFeedAsync(); // memory is trusted
        var unknown = _app.ClientWith(SecretFormat.Generate(SecretKind.QueryToken));
        var before = _store.Lookups;

        await ErrorAsync(await PostAsync(unknown), HttpStatusCode.Unauthorized, "TOKEN_UNKNOWN");
        await ErrorAsync(await PostAsync(unknown), HttpStatusCode.Unauthorized, "TOKEN_UNKNOWN");
        await ErrorAsync(await PostAsync(_app.ClientWith("tsq_" + new string('0', 49))), HttpStatusCode.Unauthorized, "TOKEN_MALFORMED");

        Assert.Equal(before + 1, _store.Lookups);
    }

    [Fact]
    public async Task A_token_describes_itself_from_memory_as_the_store_describes_it_whatever_its_state()
    {
        var account = await _app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("vision");
        var usable = await account.CreateTokenAsync("bob", workload.Id);
        var cancelled = await account.CreateTokenAsync("carol", workload.Id);
        await account.PatchTokenAsync(cancelled.Id, new { status = "cancelled" });
        var unassigned = await account.CreateTokenAsync("dave");
        await _app.WaitForChangeFeedAsync(); // no feed entry of these changes is left to make memory forget them

        foreach (var token in new[] { usable.Token, cancelled.Token, unassigned.Token })
        {
            // With the license key: read from the store, as before.
            var inspected = await ResultAsync(await PostAsync(account.Client, new JsonObject { ["token"] = token }));
            var before = _store.Lookups;

            var first = await ResultAsync(await PostAsync(_app.ClientWith(token)));
            var second = await ResultAsync(await PostAsync(_app.ClientWith(token), new JsonObject { ["token"] = token }));

            Assert.Equal(inspected.ToJsonString(), first.ToJsonString());
            Assert.Equal(inspected.ToJsonString(), second.ToJsonString());
            Assert.Equal(before + 1, _store.Lookups); // the first filled memory, the second was answered from it
        }
        var cancelledInfo = await ResultAsync(await PostAsync(_app.ClientWith(cancelled.Token)));
        Assert.Equal(("CANCELED", workload.Id, "vision"), ((string?)cancelledInfo["token"]!["status"], (string?)cancelledInfo["model"]!["modelId"], (string?)cancelledInfo["model"]!["modelName"]));
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, JsonObject? fields = null)
    {
        var body = fields ?? [];
        body["client_info"] = new JsonObject { ["module"] = "lattica_management", ["version"] = "0.1.6" };
        return client.SendRawAsync(HttpMethod.Post, "/api/token/get_token_info", body.ToJsonString());
    }

    private static async Task<JsonNode> ResultAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!["result"]!;
    }

    private static async Task ErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == status, $"expected {(int)status} {code}, got {(int)response.StatusCode} {text}");
        var body = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(["error", "error_code"], body.Select(p => p.Key));
        Assert.Equal(code, (string?)body["error_code"]);
    }
}
