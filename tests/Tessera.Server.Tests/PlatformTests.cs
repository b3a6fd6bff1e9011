using System.Net;
using System.Text.Json.Nodes;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>What surrounds the API: OpenAPI, the reference at /docs, health, and problems for unknown routes.</summary>
public abstract class PlatformTests(TesseraApp app)
{
    public sealed class OnSqlite(TesseraApp app) : PlatformTests(app), IClassFixture<TesseraApp>;

    public sealed class OnPostgres(PostgresTesseraApp app) : PlatformTests(app.Require()), IClassFixture<PostgresTesseraApp>;

    [Fact]
    public async Task The_openapi_document_describes_every_endpoint()
    {
        var document = JsonNode.Parse(await app.ClientWith(null).GetStringAsync("/openapi/v1.json"))!;
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToHashSet();

        foreach (var path in new[]
                 {
                     "/v1/account", "/v1/license-keys", "/v1/license-keys/{id}", "/v1/workloads", "/v1/workloads/{id}",
                     "/v1/workloads/{id}/tokens", "/v1/tokens", "/v1/tokens/{id}", "/v1/tokens/{id}/renew", "/v1/handshake", "/v1/auth",
                     "/v1/audit", "/v1/leaks", "/v1/leaks/github",
                 })
        {
            Assert.Contains(path, paths);
        }
        Assert.NotNull(document["paths"]!["/v1/tokens"]!["post"]!["requestBody"]);
        Assert.Equal("bearer", document["components"]!["securitySchemes"]!["bearer"]!["scheme"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_api_reference_is_served_at_docs_without_any_external_host()
    {
        var client = app.ClientWith(null);
        var response = await client.GetAsync("/docs");
        if (response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.MovedPermanently)
        {
            response = await client.GetAsync(response.Headers.Location);
        }
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("cdn.jsdelivr.net", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Health_and_readiness_answer()
    {
        var client = app.ClientWith(null);

        Assert.Equal("{\"status\":\"healthy\"}", await (await client.GetAsync("/healthz")).Content.ReadAsStringAsync());
        var ready = await client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("{\"status\":\"healthy\"}", await ready.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unknown_routes_and_wrong_methods_are_problems_with_codes()
    {
        var account = await app.NewAccountAsync();

        await (await account.Client.GetAsync("/v1/nothing-here")).ProblemAsync(HttpStatusCode.NotFound, "not_found");
        await (await account.Client.PutAsync("/v1/tokens", HttpExtensions.JsonContent(new { name = "x" }))).ProblemAsync(HttpStatusCode.MethodNotAllowed, "method_not_allowed");
        await (await account.Client.GetAsync("/v1/handshake")).ProblemAsync(HttpStatusCode.MethodNotAllowed, "method_not_allowed");
    }
}
