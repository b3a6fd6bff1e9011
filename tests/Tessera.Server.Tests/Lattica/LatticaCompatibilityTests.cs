using System.Net;
using System.Text.Json.Nodes;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Lattica;

/// <summary>
/// API.md §5 through real HTTP: exactly the JSON bodies the Lattica Python SDK sends (its
/// client_info object included), answered as {"result": …} or {"error", "error_code"}.
/// </summary>
public sealed class LatticaCompatibilityTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    /// <summary>A request body as lattica_common builds it: the call's fields, then client_info.</summary>
    private static string Body(JsonObject? fields)
    {
        var body = fields ?? [];
        body["client_info"] = new JsonObject { ["module"] = "lattica_management", ["version"] = "0.1.6" };
        return body.ToJsonString();
    }

    private static async Task<JsonNode?> ResultAsync(HttpClient client, string endpoint, JsonObject? fields = null)
    {
        var response = await Post(client, endpoint, fields);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{endpoint}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(["result"], body.Select(p => p.Key));
        return body["result"];
    }

    private static async Task<JsonObject> ErrorAsync(HttpClient client, string endpoint, JsonObject? fields, HttpStatusCode status, string code)
    {
        var response = await Post(client, endpoint, fields);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{endpoint}: expected {(int)status}, got {(int)response.StatusCode} {text}");
        var body = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(["error", "error_code"], body.Select(p => p.Key));
        Assert.Equal(code, (string?)body["error_code"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)body["error"]));
        return body;
    }

    private static Task<HttpResponseMessage> Post(HttpClient client, string endpoint, JsonObject? fields) =>
        client.SendRawAsync(HttpMethod.Post, endpoint, Body(fields));

    [Fact]
    public async Task A_management_script_creates_a_model_issues_lists_updates_assigns_and_deletes()
    {
        var account = await app.NewAccountAsync();
        var c = account.Client;

        var modelId = (string)(await ResultAsync(c, "/api/model/create_model", new JsonObject { ["modelName"] = "fraud-detector" }))!;
        var otherId = (string)(await ResultAsync(c, "/api/model/create_model", new JsonObject { ["modelName"] = "other" }))!;
        Assert.StartsWith("wl_", modelId, StringComparison.Ordinal);

        var issued = (await ResultAsync(c, "/api/token/generate_token", new JsonObject { ["modelId"] = $"{modelId}", ["tokenName"] = "alice" }))!.AsObject();
        Assert.Equal(["token", "tokenId"], issued.Select(p => p.Key).Order(StringComparer.Ordinal));
        var token = (string)issued["token"]!;
        var tokenId = (string)issued["tokenId"]!;
        Assert.Equal(HttpStatusCode.OK, (await app.HandshakeAsync(token)).StatusCode);
        var parked = (await ResultAsync(c, "/api/token/generate_token", new JsonObject { ["modelId"] = null, ["tokenName"] = "parked" }))!["tokenId"]!.GetValue<string>();

        var listed = (await ResultAsync(c, "/api/token/list_tokens", new JsonObject { ["modelId"] = $"{modelId}" }))!.AsObject();
        Assert.NotNull(listed["message"]);
        var row = Assert.Single(listed["tokens"]!.AsArray())!.AsObject();
        Assert.Equal(["expirationDate", "issueDate", "modelId", "status", "tokenId", "tokenName", "tokenNote"], row.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal((tokenId, "ACTIVE", modelId), ((string)row["tokenId"]!, (string)row["status"]!, (string)row["modelId"]!));
        var issueDate = (long)row["issueDate"]!;
        Assert.Equal(TesseraApp.Start.ToUnixTimeMilliseconds(), issueDate);
        Assert.Equal(TesseraApp.Start.AddDays(30).ToUnixTimeMilliseconds(), (long)row["expirationDate"]!);

        var sameDay = TesseraApp.Start.Date.AddHours(23).ToUniversalTime();
        var byDay = await ResultAsync(c, "/api/token/list_tokens", new JsonObject { ["issueDate"] = new DateTimeOffset(sameDay, TimeSpan.Zero).ToUnixTimeMilliseconds() });
        Assert.Equal(new[] { tokenId, parked }.Order(StringComparer.Ordinal), byDay!["tokens"]!.AsArray().Select(t => (string)t!["tokenId"]!).Order(StringComparer.Ordinal));
        var nextDay = await ResultAsync(c, "/api/token/list_tokens", new JsonObject { ["issueDate"] = $"{TesseraApp.Start.AddDays(1).ToUnixTimeMilliseconds()}" });
        Assert.Empty(nextDay!["tokens"]!.AsArray());

        var message = await ResultAsync(c, "/api/token/update_token_info",
            new JsonObject { ["tokenId"] = $"{tokenId}", ["tokenName"] = "alice-2", ["tokenNote"] = "VIP", ["status"] = "CANCELED" });
        Assert.NotNull(message!["message"]);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.HandshakeAsync(token)).StatusCode);
        var cancelled = Assert.Single((await ResultAsync(c, "/api/token/list_tokens", new JsonObject { ["status"] = "CANCELED" }))!["tokens"]!.AsArray())!;
        Assert.Equal(("alice-2", "VIP", "CANCELED"), ((string)cancelled["tokenName"]!, (string)cancelled["tokenNote"]!, (string)cancelled["status"]!));
        await ResultAsync(c, "/api/token/update_token_info", new JsonObject { ["tokenId"] = $"{tokenId}", ["status"] = "ACTIVE" });

        var assigned = (await ResultAsync(c, "/api/token/assign_token_to_model", new JsonObject { ["tokenId"] = $"{tokenId}", ["modelIdToAssign"] = $"{otherId}" }))!;
        Assert.Contains(modelId, (string?)assigned["warning"], StringComparison.Ordinal);
        Assert.Equal(otherId, (await account.GetTokenAsync(tokenId)).WorkloadId);

        var notThere = (await ResultAsync(c, "/api/token/unassign_token_from_model", new JsonObject { ["tokenId"] = $"{tokenId}", ["modelId"] = $"{modelId}" }))!;
        Assert.NotNull((string?)notThere["warning"]);
        Assert.Equal(otherId, (await account.GetTokenAsync(tokenId)).WorkloadId);
        var unassigned = (await ResultAsync(c, "/api/token/unassign_token_from_model", new JsonObject { ["tokenId"] = $"{tokenId}", ["modelId"] = $"{otherId}" }))!.AsObject();
        Assert.True(unassigned.ContainsKey("warning"));
        Assert.Null(unassigned["warning"]);
        Assert.Null((await account.GetTokenAsync(tokenId)).WorkloadId);

        await ResultAsync(c, "/api/token/delete_token", new JsonObject { ["tokenId"] = $"{tokenId}" });
        await ErrorAsync(c, "/api/token/delete_token", new JsonObject { ["tokenId"] = $"{tokenId}" }, HttpStatusCode.NotFound, "TOKEN_NOT_FOUND");
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.HandshakeAsync(token)).StatusCode);
    }

    [Fact]
    public async Task Get_token_info_describes_a_token_by_its_secret_counting_a_use_only_when_the_token_is_its_own_credential()
    {
        var account = await app.NewAccountAsync();
        var model = await account.CreateWorkloadAsync("vision");
        var issued = await account.CreateTokenAsync("bob", model.Id);

        var info = (await ResultAsync(account.Client, "/api/token/get_token_info", new JsonObject { ["token"] = $"{issued.Token}" }))!.AsObject();
        Assert.Equal(
            new JsonObject
            {
                ["token"] = new JsonObject { ["tokenId"] = issued.Id, ["status"] = "ACTIVE", ["tokenName"] = "bob", ["expirationDate"] = issued.ExpiresAt.ToUnixTimeMilliseconds() },
                ["model"] = new JsonObject { ["modelId"] = model.Id, ["modelName"] = "vision", ["status"] = "ACTIVE" },
                ["worker"] = new JsonObject { ["status"] = null },
                ["evaluationKey"] = new JsonObject { ["createdAt"] = null },
            }.ToJsonString(),
            info.ToJsonString());
        // With the license key it is an inspection: no use.
        await app.FlushUsageAsync();
        Assert.Equal(0, (await account.GetTokenAsync(issued.Id)).UseCount);

        // The query token itself may ask about itself, and only about itself.
        var self = await ResultAsync(app.ClientWith(issued.Token), "/api/token/get_token_info", new JsonObject { ["token"] = $"{issued.Token}" });
        Assert.Equal(issued.Id, (string)self!["token"]!["tokenId"]!);
        var other = await account.CreateTokenAsync("carol");
        await ErrorAsync(app.ClientWith(issued.Token), "/api/token/get_token_info", new JsonObject { ["token"] = $"{other.Token}" }, HttpStatusCode.NotFound, "TOKEN_NOT_FOUND");
        var unassigned = await ResultAsync(app.ClientWith(other.Token), "/api/token/get_token_info");
        Assert.Equal("""{"modelId":null,"modelName":null,"status":null}""", unassigned!["model"]!.ToJsonString());
        await ErrorAsync(app.ClientWith("tsq_" + new string('0', 49)), "/api/token/get_token_info", null, HttpStatusCode.Unauthorized, "TOKEN_MALFORMED");

        // Another account's secret is not found, exactly like an unknown one.
        var stranger = await app.NewAccountAsync();
        await ErrorAsync(stranger.Client, "/api/token/get_token_info", new JsonObject { ["token"] = $"{issued.Token}" }, HttpStatusCode.NotFound, "TOKEN_NOT_FOUND");
        await ErrorAsync(stranger.Client, "/api/token/get_token_info", new JsonObject { ["token"] = "nonsense" }, HttpStatusCode.NotFound, "TOKEN_NOT_FOUND");

        // As its own credential the token went through the query side's verification (issue 13): the one
        // successful self-description is a use, like a handshake; the refused request for another token is not.
        await app.FlushUsageAsync();
        Assert.Equal(1, (await account.GetTokenAsync(issued.Id)).UseCount);
    }

    [Fact]
    public async Task Models_and_the_account_are_described_with_millisecond_instants()
    {
        var account = await app.NewAccountAsync("Acme AI");
        var model = await account.CreateWorkloadAsync("llm", "Chat");

        var models = (await ResultAsync(account.Client, "/api/model/list_models"))!["models"]!.AsArray();
        var expected = new JsonArray(new JsonObject
        {
            ["modelId"] = model.Id, ["modelName"] = "llm", ["description"] = "Chat", ["createdAt"] = model.CreatedAt.ToUnixTimeMilliseconds(), ["status"] = "ACTIVE",
        });
        Assert.Equal(expected.ToJsonString(), models.ToJsonString());
        var info = (await ResultAsync(account.Client, "/api/model/get_model_info", new JsonObject { ["modelId"] = $"{model.Id}" }))!["model"]!;
        Assert.Equal(("llm", model.UpdatedAt.ToUnixTimeMilliseconds()), ((string)info["modelName"]!, (long)info["updatedAt"]!));

        var me = (await ResultAsync(account.Client, "/api/account/get_account_info"))!.AsObject();
        Assert.Equal((account.Id, "Acme AI"), ((string)me["accountId"]!, (string)me["companyName"]!));
        Assert.Equal(TesseraApp.Start.ToUnixTimeMilliseconds(), (long)me["createdAt"]!);
    }

    [Fact]
    public async Task Every_refusal_has_the_lattica_error_shape_and_a_4xx_status()
    {
        var account = await app.NewAccountAsync();
        var c = account.Client;
        await c.PostJsonAsync("/v1/workloads", new { name = "taken" });

        await ErrorAsync(app.ClientWith(null), "/api/token/list_tokens", null, HttpStatusCode.Unauthorized, "LICENSE_KEY_MISSING");
        await ErrorAsync(app.ClientWith("tsl_bad"), "/api/token/list_tokens", null, HttpStatusCode.Unauthorized, "LICENSE_KEY_MALFORMED");
        await ErrorAsync(c, "/api/model/create_model", new JsonObject { ["modelName"] = "TAKEN" }, HttpStatusCode.Conflict, "WORKLOAD_NAME_TAKEN");
        var invalid = await ErrorAsync(c, "/api/model/create_model", new JsonObject { ["modelName"] = "" }, HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        Assert.Contains("modelName", (string?)invalid["error"], StringComparison.Ordinal);
        await ErrorAsync(c, "/api/token/generate_token", new JsonObject { ["modelId"] = "wl_nope", ["tokenName"] = "x" }, HttpStatusCode.NotFound, "WORKLOAD_NOT_FOUND");
        await ErrorAsync(c, "/api/token/list_tokens", new JsonObject { ["status"] = "PAUSED" }, HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await ErrorAsync(c, "/api/token/list_tokens", new JsonObject { ["issueDate"] = "yesterday" }, HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await ErrorAsync(c, "/api/token/list_tokens", new JsonObject { ["stauts"] = "ACTIVE" }, HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await ErrorAsync(c, "/api/token/update_token_info", new JsonObject { ["tokenName"] = "no id" }, HttpStatusCode.UnprocessableEntity, "VALIDATION_FAILED");
        await ErrorAsync(c, "/api/token/assign_token_to_model", new JsonObject { ["tokenId"] = "tok_x", ["modelIdToAssign"] = "wl_x" }, HttpStatusCode.NotFound, "WORKLOAD_NOT_FOUND");
        await ErrorAsync(c, "/api/worker/start_worker", new JsonObject { ["modelId"] = "wl_x" }, HttpStatusCode.NotFound, "NOT_FOUND");

        var notJson = await c.SendRawAsync(HttpMethod.Post, "/api/token/list_tokens", "{not json");
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
        Assert.Equal("INVALID_JSON", (string?)(await notJson.JsonObjectAsync())["error_code"]);

        // Another method than POST, on a known call or not: still the Lattica shape (found by the fuzz suite).
        foreach (var (method, path) in new[] { (HttpMethod.Put, "/api/model/create_model"), (HttpMethod.Get, "/api/token/list_tokens"), (HttpMethod.Delete, "/api/anything"), (HttpMethod.Patch, "/api/"), (HttpMethod.Get, "/api") })
        {
            var wrongMethod = await c.SendRawAsync(method, path, "{}");
            Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
            Assert.Equal("application/json", wrongMethod.Content.Headers.ContentType?.MediaType);
            var body = await wrongMethod.JsonObjectAsync();
            Assert.Equal(["error", "error_code"], body.Select(p => p.Key));
            Assert.Equal("METHOD_NOT_ALLOWED", (string?)body["error_code"]);
        }
    }
}
