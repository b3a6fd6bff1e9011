using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Contracts;
using Tessera.Core.Accounts;
using Tessera.Server.Auth;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.LeastPrivilege;

/// <summary>
/// Issue 15, the scope matrix: generated from the server's own endpoint data source, so an endpoint added
/// later is in it without anyone remembering. Every endpoint declares a scope (or an exemption, on purpose);
/// for every endpoint that needs a key, a key lacking its scope gets 403 insufficient_scope, a key holding
/// exactly that scope gets something else, and another account's key gets 404 for an object of this one.
/// </summary>
public abstract class ScopeMatrixTests(TesseraApp app)
{
    public sealed class OnSqlite(TesseraApp app) : ScopeMatrixTests(app), IClassFixture<TesseraApp>;

    public sealed class OnPostgres(PostgresTesseraApp app) : ScopeMatrixTests(app.Require()), IClassFixture<PostgresTesseraApp>;

    [Fact]
    public void Every_endpoint_declares_the_scope_it_needs_or_an_exemption()
    {
        var undeclared = Endpoints()
            .Where(e => e.Metadata.GetMetadata<RequiredScopeAttribute>() is null && e.Metadata.GetMetadata<ScopeExemptAttribute>() is null)
            .Select(Describe)
            .ToList();

        Assert.True(undeclared.Count == 0, "Endpoints without a scope or an exemption:\n" + string.Join("\n", undeclared));
        // The data source holds what the matrix below drives: the management API, the Lattica surface and the console.
        Assert.Contains(Endpoints(), e => e.RoutePattern.RawText == "/v1/tokens/{id}");
        Assert.Contains(Endpoints(), e => e.RoutePattern.RawText == "/api/token/list_tokens");
        Assert.Contains(Endpoints(), e => e.RoutePattern.RawText?.TrimStart('/') == "tokens/{id}");
    }

    [Fact]
    public void Every_console_form_handler_of_a_page_that_needs_a_scope_declares_its_own()
    {
        // A POST handler that declared nothing would run with its page's (read) scope.
        var pages = typeof(Tessera.Server.WebConsole.ConsoleScopeFilter).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(PageModel)));
        var missing = pages
            .Where(p => p.GetCustomAttribute<RequiredScopeAttribute>() is { Scope: not null })
            .SelectMany(p => p.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Where(m => m.Name.StartsWith("OnPost", StringComparison.Ordinal) && m.GetCustomAttribute<RequiredScopeAttribute>() is null)
                .Select(m => $"{p.Name}.{m.Name}"))
            .ToList();

        Assert.True(missing.Count == 0, "Console handlers without a scope: " + string.Join(", ", missing));
        Assert.NotEmpty(pages);
    }

    [Fact]
    public async Task Every_api_endpoint_refuses_a_key_without_its_scope_admits_a_key_with_it_and_hides_other_accounts_objects()
    {
        var account = await app.NewAccountAsync();
        var stranger = await app.NewAccountAsync();
        var checkedRoutes = new List<string>();
        foreach (var endpoint in Endpoints().Where(e => e.Metadata.GetMetadata<RequiredScopeAttribute>() is not null && !IsConsolePage(e)))
        {
            var needed = endpoint.Metadata.GetMetadata<RequiredScopeAttribute>()!.Scope;
            var lattica = endpoint.RoutePattern.RawText!.StartsWith("/api/", StringComparison.Ordinal);
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods)
            {
                var route = $"{method} {endpoint.RoutePattern.RawText}";
                checkedRoutes.Add(route);
                if (needed is not null)
                {
                    // Lacking: a key whose one scope covers nothing this endpoint needs.
                    var lacking = await KeyAsync(account, needed == Scopes.Gateway ? Scopes.UsageRead : Scopes.Gateway);
                    var refused = await SendAsync(lacking, method, await RequestAsync(account, endpoint, lacking));
                    await AssertInsufficientScopeAsync(refused, needed, lattica, route);
                }

                var holding = await KeyAsync(account, needed ?? Scopes.Gateway);
                var admitted = await SendAsync(holding, method, await RequestAsync(account, endpoint, holding));
                Assert.True(admitted.StatusCode is not (HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized),
                    $"{route} with a key holding '{needed}': {(int)admitted.StatusCode} {await admitted.Content.ReadAsStringAsync()}");

                var request = await RequestAsync(account, endpoint, account.LicenseKey);
                if (request.NamesAnObject)
                {
                    var foreign = await SendAsync(stranger.LicenseKey, method, request);
                    Assert.True(foreign.StatusCode == HttpStatusCode.NotFound,
                        $"{route} with another account's key: {(int)foreign.StatusCode} {await foreign.Content.ReadAsStringAsync()}");
                }
            }
        }
        // Every door is in the matrix: /v1 (keys, workloads, tokens, audit) and the Lattica surface.
        Assert.Contains("DELETE /v1/license-keys/{id}", checkedRoutes);
        Assert.Contains("POST /api/token/assign_token_to_model", checkedRoutes);
        Assert.Contains("GET /v1/audit", checkedRoutes);
        Assert.Contains("PATCH /v1/members/{id}", checkedRoutes);
        Assert.Contains("POST /v1/invitations/", checkedRoutes);
        Assert.Contains("GET /v1/gateway/snapshot", checkedRoutes);
        Assert.Contains("GET /v1/gateway/changes", checkedRoutes);
        Assert.Contains("POST /v1/gateway/usage", checkedRoutes);
        Assert.Contains("POST /v1/webhooks/{id}/deliveries/{deliveryId}/retry", checkedRoutes);
        Assert.Contains("GET /v1/usage", checkedRoutes);
        Assert.Contains("POST /v1/tokens/import", checkedRoutes);
    }

    private static async Task AssertInsufficientScopeAsync(HttpResponseMessage response, string needed, bool lattica, string route)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{route} with a key lacking '{needed}': {(int)response.StatusCode} {text}");
        Assert.Equal($"Bearer error=\"insufficient_scope\", scope=\"{needed}\"", response.Headers.WwwAuthenticate.ToString());
        var body = JsonNode.Parse(text)!;
        Assert.Equal(lattica ? "INSUFFICIENT_SCOPE" : "insufficient_scope", (string?)body[lattica ? "error_code" : "code"]);
    }

    private IEnumerable<RouteEndpoint> Endpoints() =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();

    private static bool IsConsolePage(RouteEndpoint endpoint) => endpoint.Metadata.GetMetadata<PageActionDescriptor>() is not null;

    private static string Describe(RouteEndpoint endpoint) =>
        $"{string.Join(",", endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"])} {endpoint.RoutePattern.RawText}";

    /// <summary>A fresh key of <paramref name="account"/> holding just <paramref name="scope"/>.</summary>
    private async Task<string> KeyAsync(TestAccount account, string scope) =>
        (await (await account.Client.PostJsonAsync("/v1/license-keys", new { name = scope, scopes = new[] { scope } }))
            .ReadAsync<CreatedLicenseKeyResponse>(HttpStatusCode.Created)).Key;

    // A public address, accepted by the default destination rules without a DNS lookup; nothing is delivered in these tests.
    private const string WebhookUrl = "https://8.8.8.8/hooks/matrix";

    private sealed record Request(string Path, JsonObject? Body, bool NamesAnObject);

    /// <summary>
    /// A request to <paramref name="endpoint"/> about fresh objects of <paramref name="account"/> (so a delete in one
    /// row does not take another row's object). A route this does not know fails the test: teach it the new route.
    /// </summary>
    private async Task<Request> RequestAsync(TestAccount account, RouteEndpoint endpoint, string key)
    {
        var pattern = endpoint.RoutePattern.RawText!;
        if (pattern.StartsWith("/api/", StringComparison.Ordinal))
        {
            return await LatticaRequestAsync(account, pattern);
        }
        if (!pattern.Contains("{id}", StringComparison.Ordinal))
        {
            return new Request(pattern, JsonBodyFor(pattern), false);
        }
        var id = pattern switch
        {
            _ when pattern.StartsWith("/v1/tokens/", StringComparison.Ordinal) =>
                (await account.CreateTokenAsync("matrix", (await account.CreateWorkloadAsync(Unique("wl"))).Id)).Id,
            _ when pattern.StartsWith("/v1/workloads/", StringComparison.Ordinal) => (await account.CreateWorkloadAsync(Unique("wl"))).Id,
            // A key the holder may revoke: one with no more than keys:manage (a wider key is not the holder's to see).
            _ when pattern.StartsWith("/v1/license-keys/", StringComparison.Ordinal) =>
                (await (await account.Client.PostJsonAsync("/v1/license-keys", new { name = "target", scopes = new[] { Scopes.KeysManage } }))
                    .ReadAsync<CreatedLicenseKeyResponse>(HttpStatusCode.Created)).Id,
            _ when pattern.StartsWith("/v1/members/", StringComparison.Ordinal) => (await app.AddMemberAsync(account, "viewer")).Id,
            _ when pattern.StartsWith("/v1/invitations/", StringComparison.Ordinal) => (await account.InviteAsync(Membership.UniqueEmail(), "viewer")).Id,
            _ when pattern.StartsWith("/v1/webhooks/", StringComparison.Ordinal) =>
                (await (await account.Client.PostJsonAsync("/v1/webhooks", new CreateWebhookRequest(WebhookUrl, ["*"])))
                    .ReadAsync<CreatedWebhookResponse>(HttpStatusCode.Created)).Id,
            _ => throw new InvalidOperationException($"The scope matrix does not know how to make the object of {pattern} (key {key[..4]}…): add it."),
        };
        var path = pattern.Replace("{id}", id, StringComparison.Ordinal);
        if (path.Contains("{deliveryId}", StringComparison.Ordinal))
        {
            var delivery = await (await account.Client.PostAsync($"/v1/webhooks/{id}/test", null)).ReadAsync<WebhookDeliveryResponse>(HttpStatusCode.Accepted);
            path = path.Replace("{deliveryId}", delivery.Id, StringComparison.Ordinal);
        }
        return new Request(path, JsonBodyFor(pattern), true);
    }

    private static JsonObject? JsonBodyFor(string pattern) => pattern switch
    {
        "/v1/tokens" or "/v1/workloads/{id}/tokens" => new JsonObject { ["name"] = "matrix" },
        "/v1/workloads" => new JsonObject { ["name"] = Unique("wl") },
        "/v1/workloads/{id}" or "/v1/tokens/{id}" => new JsonObject { ["name"] = Unique("renamed") },
        "/v1/license-keys" => new JsonObject { ["name"] = "matrix", ["scopes"] = new JsonArray(Scopes.KeysManage) },
        // A key's grant is fixed (always refused); a field it does not have gets past the scope check to a 422.
        "/v1/license-keys/{id}" => new JsonObject { ["note"] = "matrix" },
        // Not an address: answered only past the scope check (no role fits within keys:manage alone).
        "/v1/invitations/" => new JsonObject { ["email"] = "not-an-address", ["role"] = "viewer" },
        "/v1/members/{id}" => new JsonObject { ["displayName"] = Unique("renamed") },
        // Not a token: a false positive that changes nothing, answered only past the scope check.
        "/v1/leaks" => new JsonObject { ["token"] = "not-a-token" },
        // An empty report: past the scope check it records nothing.
        "/v1/gateway/usage" => new JsonObject { ["items"] = new JsonArray() },
        "/v1/webhooks" => new JsonObject { ["url"] = WebhookUrl, ["events"] = new JsonArray("*") },
        "/v1/webhooks/{id}" => new JsonObject { ["description"] = Unique("hook") },
        _ => null,
    };

    private async Task<Request> LatticaRequestAsync(TestAccount account, string pattern)
    {
        async Task<string> WorkloadAsync() => (await account.CreateWorkloadAsync(Unique("model"))).Id;
        async Task<CreatedTokenResponse> TokenAsync() => await account.CreateTokenAsync("matrix", await WorkloadAsync());
        return pattern switch
        {
            "/api/model/create_model" => new Request(pattern, new JsonObject { ["modelName"] = Unique("model") }, false),
            "/api/model/list_models" => new Request(pattern, [], false),
            "/api/model/get_model_info" => new Request(pattern, new JsonObject { ["modelId"] = await WorkloadAsync() }, true),
            "/api/token/generate_token" => new Request(pattern, new JsonObject { ["modelId"] = await WorkloadAsync(), ["tokenName"] = "matrix" }, true),
            "/api/token/list_tokens" => new Request(pattern, new JsonObject { ["modelId"] = await WorkloadAsync() }, true),
            "/api/token/get_token_info" => new Request(pattern, new JsonObject { ["token"] = (await TokenAsync()).Token }, true),
            "/api/token/update_token_info" => new Request(pattern, new JsonObject { ["tokenId"] = (await TokenAsync()).Id, ["tokenName"] = "x" }, true),
            "/api/token/assign_token_to_model" => new Request(pattern,
                new JsonObject { ["tokenId"] = (await TokenAsync()).Id, ["modelIdToAssign"] = await WorkloadAsync() }, true),
            "/api/token/unassign_token_from_model" => await UnassignAsync(),
            "/api/token/delete_token" => new Request(pattern, new JsonObject { ["tokenId"] = (await TokenAsync()).Id }, true),
            "/api/account/get_account_info" => new Request(pattern, [], false),
            _ => throw new InvalidOperationException($"The scope matrix does not know the Lattica call {pattern}: add it."),
        };

        async Task<Request> UnassignAsync()
        {
            var token = await TokenAsync();
            return new Request(pattern, new JsonObject { ["tokenId"] = token.Id, ["modelId"] = token.WorkloadId }, true);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(string key, string method, Request request)
    {
        using var message = new HttpRequestMessage(new HttpMethod(method), request.Path);
        if (method is "POST" or "PATCH")
        {
            message.Content = HttpExtensions.JsonContent(request.Body ?? [], method == "PATCH" ? "application/merge-patch+json" : "application/json");
        }
        return await app.ClientWith(key).SendAsync(message);
    }

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}";
}
