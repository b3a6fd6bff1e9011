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
        Assert.Equal(["usable", "unassigned", "expired", "cancelled"], Enum(parameters["state"]));
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
