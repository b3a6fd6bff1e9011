using System.Text.Json.Nodes;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Operations;

/// <summary>
/// Issue 19 §1 (the part built so far): every operation that takes a credential requires the bearer scheme in the
/// OpenAPI document, so Scalar and generated clients send it; the self-hosted reference has no SDK/deploy toolbar
/// and no AI agent.
/// </summary>
public sealed class OpenApiDocumentTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    [Fact]
    public async Task Every_operation_that_takes_a_credential_requires_the_bearer_scheme()
    {
        using var client = app.ClientWith(null);
        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken))!;

        Assert.Equal("bearer", (string?)document["components"]!["securitySchemes"]!["bearer"]!["scheme"]);
        var operations = 0;
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var secured = path.StartsWith("/v1/", StringComparison.Ordinal) || path.StartsWith("/api/", StringComparison.Ordinal);
                var requirements = operation!["security"]?.AsArray().Select(r => r!.AsObject().Select(p => p.Key).Single()).ToList() ?? [];
                Assert.True(secured ? requirements.SequenceEqual(["bearer"]) : requirements.Count == 0, $"{method} {path}: security {string.Join(",", requirements)}");
                operations += secured ? 1 : 0;
            }
        }
        Assert.True(operations >= 20, $"only {operations} secured operations");
        Assert.NotNull(document["paths"]!["/v1/tokens"]!["get"]!["security"]);
        Assert.NotNull(document["paths"]!["/api/token/list_tokens"]!["post"]!["security"]);
    }

    [Theory]
    [InlineData("/v1/tokens", "workloadId,status,state,q,createdFrom,createdTo,expiresBefore,sort,limit,cursor")]
    [InlineData("/v1/workloads", "limit,cursor")]
    [InlineData("/v1/audit", "objectId,action,actorId,from,to,limit,cursor")]
    public async Task Every_query_parameter_of_a_list_is_documented_with_type_and_description(string path, string names)
    {
        var operation = (await DocumentAsync())["paths"]![path]!["get"]!;
        var parameters = operation["parameters"]!.AsArray().Where(p => (string?)p!["in"] == "query").ToList();

        Assert.Equal(names.Split(','), parameters.Select(p => (string?)p!["name"]));
        foreach (var parameter in parameters)
        {
            Assert.False(string.IsNullOrWhiteSpace((string?)parameter!["description"]), $"{path} {parameter["name"]}: no description");
            Assert.NotNull((string?)parameter["schema"]!["type"]);
        }
        Assert.Equal("integer", (string?)parameters.Single(p => (string?)p!["name"] == "limit")!["schema"]!["type"]);
    }

    [Fact]
    public async Task The_token_list_filters_carry_their_enums_and_formats()
    {
        var parameters = (await DocumentAsync())["paths"]!["/v1/tokens"]!["get"]!["parameters"]!.AsArray()
            .ToDictionary(p => (string)p!["name"]!, p => p!["schema"]!);

        Assert.Equal(["active", "cancelled"], Enum(parameters["status"]));
        Assert.Equal(["usable", "unassigned", "expired", "cancelled", "expiring"], Enum(parameters["state"]));
        Assert.Equal(["createdAt", "expiresAt", "name", "lastUsedAt"], Enum(parameters["sort"]));
        Assert.Equal("date-time", (string?)parameters["createdFrom"]["format"]);
        Assert.Null(parameters["q"]["enum"]);
        Assert.Contains("token.created", Enum((await DocumentAsync())["paths"]!["/v1/audit"]!["get"]!["parameters"]!.AsArray()
            .Single(p => (string?)p!["name"] == "action")!["schema"]!));

        static string[] Enum(JsonNode schema) => [.. schema["enum"]!.AsArray().Select(v => (string)v!)];
    }

    [Fact]
    public async Task One_problem_schema_carries_the_fields_the_server_sends()
    {
        var document = await DocumentAsync();
        var properties = document["components"]!["schemas"]!["Problem"]!["properties"]!.AsObject().Select(p => p.Key).ToHashSet();
        Assert.Superset(new HashSet<string> { "type", "title", "status", "detail", "instance", "code", "errors", "traceId" }, properties);

        // What a real refusal carries is all described by the schema.
        var account = await app.NewAccountAsync();
        using var response = await account.Client.GetAsync("/v1/tokens?status=bogus", TestContext.Current.CancellationToken);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!.AsObject();
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Superset(new HashSet<string> { "code", "errors", "traceId" }, problem.Select(p => p.Key).ToHashSet());
        Assert.Subset(properties, problem.Select(p => p.Key).ToHashSet());
    }

    [Fact]
    public async Task Every_management_operation_lists_401_403_429_and_every_problem_uses_the_problem_schema()
    {
        var document = await DocumentAsync();
        var problems = 0;
        foreach (var (path, item) in document["paths"]!.AsObject().Where(p => p.Key.StartsWith("/v1/", StringComparison.Ordinal)))
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var responses = operation!["responses"]!.AsObject();
                Assert.True(responses.ContainsKey("401") && responses.ContainsKey("429"), $"{method} {path}: {string.Join(",", responses.Select(r => r.Key))}");
                foreach (var (status, response) in responses)
                {
                    if (response!["content"]?["application/problem+json"] is { } problem)
                    {
                        Assert.Equal("#/components/schemas/Problem", (string?)problem["schema"]!["$ref"]);
                        problems++;
                    }
                }
            }
        }
        Assert.True(problems >= 60, $"only {problems} problem responses");
        Assert.NotNull(document["paths"]!["/v1/tokens"]!["get"]!["responses"]!["403"]);
        Assert.NotNull(document["paths"]!["/v1/tokens"]!["get"]!["responses"]!["400"]!["content"]!["application/problem+json"]);
    }

    [Fact]
    public async Task Every_operation_has_an_operation_id_of_its_own()
    {
        var document = await DocumentAsync();
        var operations = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(o => (Where: $"{o.Key} {p.Key}", Id: (string?)o.Value!["operationId"])))
            .ToList();

        Assert.All(operations, o => Assert.False(string.IsNullOrEmpty(o.Id), $"{o.Where}: no operationId"));
        Assert.Equal(operations.Count, operations.Select(o => o.Id).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal("ListTokens", (string?)document["paths"]!["/v1/tokens"]!["get"]!["operationId"]);
        Assert.Equal("LatticaGenerateToken", (string?)document["paths"]!["/api/token/generate_token"]!["post"]!["operationId"]);
    }

    [Fact]
    public async Task Every_request_body_and_answer_has_an_example_that_its_schema_describes()
    {
        var document = await DocumentAsync();
        var examples = 0;
        var departures = new List<string>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var bodies = (operation!["requestBody"]?["content"]?.AsObject() ?? []).Select(c => ($"{method} {path} request {c.Key}", c.Value!));
                var answers = operation["responses"]!.AsObject()
                    .SelectMany(r => (r.Value!["content"]?.AsObject() ?? []).Select(c => ($"{method} {path} {r.Key} {c.Key}", c.Value!)));
                foreach (var (where, media) in bodies.Concat(answers).Where(m => m.Item2["schema"] is not null))
                {
                    if (!media.AsObject().ContainsKey("example"))
                    {
                        departures.Add($"{where}: no example");
                        continue;
                    }
                    examples++;
                    departures.AddRange(OpenApiSchemaConformance.Departures(document, media["schema"]!, media["example"], where));
                }
            }
        }

        Assert.Empty(departures);
        Assert.True(examples >= 150, $"only {examples} examples");
        var created = document["paths"]!["/v1/tokens"]!["post"]!["responses"]!["201"]!["content"]!["application/json"]!["example"]!;
        Assert.Matches("^tsq_[0-9A-Za-z]{49}$", (string?)created["token"]);
        Assert.Equal("validation_failed", (string?)document["paths"]!["/v1/tokens"]!["post"]!["responses"]!["422"]!["content"]!
            ["application/problem+json"]!["example"]!["code"]);
    }

    [Fact]
    public async Task The_import_describes_its_csv_body_its_idempotency_key_and_its_csv_answer()
    {
        var import = (await DocumentAsync())["paths"]!["/v1/tokens/import"]!["post"]!;
        var body = import["requestBody"]!;
        Assert.True((bool)body["required"]!);
        Assert.Equal(["text/csv"], body["content"]!.AsObject().Select(c => c.Key));
        Assert.Equal("string", (string?)body["content"]!["text/csv"]!["schema"]!["type"]);
        Assert.StartsWith("name,workloadId,note,expiresAt\n", (string?)body["content"]!["text/csv"]!["example"], StringComparison.Ordinal);
        Assert.Contains("name (required", (string?)body["description"], StringComparison.Ordinal);
        var key = Assert.Single(import["parameters"]!.AsArray(), p => (string?)p!["name"] == "Idempotency-Key")!;
        Assert.Equal(("header", true, 200), ((string?)key["in"], (bool)key["required"]!, (int)key["schema"]!["maxLength"]!));
        var answer = import["responses"]!["200"]!["content"]!["text/csv"]!;
        Assert.StartsWith("row,id,name,workloadId,token\n1,tok_", (string?)answer["example"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_lattica_call_documents_its_body_and_answer_and_real_calls_match_them()
    {
        var ct = TestContext.Current.CancellationToken;
        var document = await DocumentAsync();
        var account = await app.NewAccountAsync();
        var departures = new List<string>();
        var called = new HashSet<string>();

        async Task<JsonNode> CallAsync(string call, JsonObject fields, int status = 200)
        {
            var operation = document["paths"]![$"/api/{call}"]!["post"]!;
            fields["client_info"] = new JsonObject { ["module"] = "lattica_management", ["version"] = "0.1.6" };
            if (status != 422)
            {
                // A 422 is asked for with a body the schema refuses too.
                departures.AddRange(OpenApiSchemaConformance.Departures(document,
                    operation["requestBody"]!["content"]!["application/json"]!["schema"]!, fields, $"{call} request"));
            }
            using var response = await account.Client.PostAsync($"/api/{call}", new StringContent(fields.ToJsonString(),
                System.Text.Encoding.UTF8, "application/json"), ct);
            Assert.Equal(status, (int)response.StatusCode);
            var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
            departures.AddRange(OpenApiSchemaConformance.Departures(document,
                operation["responses"]![status.ToString(System.Globalization.CultureInfo.InvariantCulture)]!["content"]!["application/json"]!["schema"]!,
                answer, $"{call} {status}"));
            called.Add(call);
            return answer;
        }

        var modelId = (string)(await CallAsync("model/create_model", new JsonObject { ["modelName"] = "conformance" }))["result"]!;
        await CallAsync("model/list_models", []);
        await CallAsync("model/get_model_info", new JsonObject { ["modelId"] = modelId });
        var issued = (await CallAsync("token/generate_token", new JsonObject { ["modelId"] = modelId, ["tokenName"] = "alice" }))["result"]!;
        var tokenId = (string)issued["tokenId"]!;
        await CallAsync("token/list_tokens", new JsonObject { ["status"] = "ACTIVE", ["modelId"] = modelId });
        await CallAsync("token/get_token_info", new JsonObject { ["token"] = (string)issued["token"]! });
        await CallAsync("token/update_token_info", new JsonObject { ["tokenId"] = tokenId, ["tokenNote"] = "pilot" });
        await CallAsync("token/unassign_token_from_model", new JsonObject { ["tokenId"] = tokenId, ["modelId"] = modelId });
        var moved = await CallAsync("token/assign_token_to_model", new JsonObject { ["tokenId"] = tokenId, ["modelIdToAssign"] = modelId });
        await CallAsync("token/update_token_info", new JsonObject { ["tokenId"] = tokenId, ["status"] = "CANCELED" });
        await CallAsync("token/delete_token", new JsonObject { ["tokenId"] = tokenId });
        await CallAsync("account/get_account_info", []);
        var refused = await CallAsync("token/delete_token", new JsonObject { ["tokenId"] = tokenId }, 404);
        await CallAsync("model/create_model", [], 422);

        Assert.Empty(departures);
        Assert.Equal("Token assigned to model.", (string?)moved["result"]!["message"]);
        Assert.Equal("TOKEN_NOT_FOUND", (string?)refused["error_code"]);
        var documented = document["paths"]!.AsObject().Where(p => p.Key.StartsWith("/api/", StringComparison.Ordinal)).Select(p => p.Key[5..]);
        Assert.Equal(documented.Order(), called.Order());
    }

    private async Task<JsonNode> DocumentAsync()
    {
        using var client = app.ClientWith(null);
        return JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken))!;
    }

    [Fact]
    public async Task The_reference_page_hides_the_developer_toolbar_and_the_agent()
    {
        using var client = app.ClientWith(null);
        var page = await client.GetStringAsync("/docs/", TestContext.Current.CancellationToken);

        Assert.Contains("\"showDeveloperTools\":\"never\"", page, StringComparison.Ordinal);
        Assert.Contains("\"agent\":{\"disabled\":true}", page, StringComparison.Ordinal);
    }
}
