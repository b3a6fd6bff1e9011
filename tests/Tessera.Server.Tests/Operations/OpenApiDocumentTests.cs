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

    [Fact]
    public async Task The_reference_page_hides_the_developer_toolbar_and_the_agent()
    {
        using var client = app.ClientWith(null);
        var page = await client.GetStringAsync("/docs/", TestContext.Current.CancellationToken);

        Assert.Contains("\"showDeveloperTools\":\"never\"", page, StringComparison.Ordinal);
        Assert.Contains("\"agent\":{\"disabled\":true}", page, StringComparison.Ordinal);
    }
}
