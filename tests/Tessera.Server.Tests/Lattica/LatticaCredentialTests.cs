using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Tessera.Contracts;
using Tessera.Core.Audit;
using Tessera.Core.Secrets;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Lattica;

/// <summary>
/// Issue 13: the Lattica door has the abuse limits of every other door. A license key is checked by the /v1
/// scheme (one failure budget per address for both surfaces, the client address in the audit trail), a query
/// token presented to get_token_info by the query side's verification and its budget; refusals keep Lattica's
/// <c>{error, error_code}</c> shape, a 429 with Retry-After. Each test speaks for addresses of its own.
/// </summary>
public sealed class LatticaCredentialTests(LatticaLimitApp fixture) : IClassFixture<LatticaLimitApp>
{
    private readonly TesseraApp _app = fixture.App;

    [Fact]
    public async Task Once_v1_answered_429_for_refused_license_keys_the_lattica_surface_answers_429_too_but_a_valid_key_passes()
    {
        const string address = "192.0.2.101";
        var account = await _app.NewAccountAsync();
        var forged = _app.ClientWith(SecretFormat.Generate(SecretKind.LicenseKey));
        for (var i = 0; i < 3; i++)
        {
            await (await SendAsync(forged, HttpMethod.Get, "/v1/account", address)).ProblemAsync(HttpStatusCode.Unauthorized, "license_key_invalid");
        }
        await (await SendAsync(forged, HttpMethod.Get, "/v1/account", address)).ProblemAsync(HttpStatusCode.TooManyRequests, "too_many_failures");

        await LimitedAsync(await PostAsync(forged, "/api/account/get_account_info", address));
        await LimitedAsync(await PostAsync(_app.ClientWith("tsl_bad"), "/api/token/list_tokens", address));
        // A key that is no key at all is not a failure; a valid key is never turned away, however busy its address.
        await ErrorAsync(await PostAsync(_app.ClientWith(null), "/api/token/list_tokens", address), HttpStatusCode.Unauthorized, "LICENSE_KEY_MISSING");
        var me = await ResultAsync(await PostAsync(account.Client, "/api/account/get_account_info", address));
        Assert.Equal(account.Id, (string?)me["accountId"]);
        // Another address has its own budget.
        await ErrorAsync(await PostAsync(forged, "/api/account/get_account_info", "192.0.2.199"), HttpStatusCode.Unauthorized, "LICENSE_KEY_INVALID");
    }

    [Fact]
    public async Task License_keys_refused_on_the_lattica_surface_spend_the_budget_of_v1()
    {
        const string address = "192.0.2.102";
        var forged = _app.ClientWith(SecretFormat.Generate(SecretKind.LicenseKey));
        for (var i = 0; i < 3; i++)
        {
            var refused = await PostAsync(forged, i == 0 ? "/api/model/list_models" : "/api/token/generate_token", address,
                i == 0 ? null : new JsonObject { ["modelId"] = null, ["tokenName"] = "x" });
            await ErrorAsync(refused, HttpStatusCode.Unauthorized, "LICENSE_KEY_INVALID");
            Assert.Equal("Bearer error=\"invalid_token\"", refused.Headers.WwwAuthenticate.ToString());
        }

        await (await SendAsync(forged, HttpMethod.Get, "/v1/account", address)).ProblemAsync(HttpStatusCode.TooManyRequests, "too_many_failures");
        await LimitedAsync(await PostAsync(forged, "/api/model/create_model", address, new JsonObject { ["modelName"] = "m" }));
    }

    [Fact]
    public async Task Get_token_info_with_a_query_token_shares_the_query_sides_failure_budget_both_ways()
    {
        var account = await _app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama-3");
        var usable = await account.CreateTokenAsync("alice", workload.Id);
        var unknown = _app.ClientWith(SecretFormat.Generate(SecretKind.QueryToken));

        // Spent on the query side, refused on the Lattica surface; the usable token still describes itself.
        const string first = "192.0.2.103";
        for (var i = 0; i < 3; i++)
        {
            await (await SendAsync(unknown, HttpMethod.Post, "/v1/handshake", first)).ProblemAsync(HttpStatusCode.Unauthorized, "token_unknown");
        }
        await LimitedAsync(await PostAsync(unknown, "/api/token/get_token_info", first));
        var self = await ResultAsync(await PostAsync(_app.ClientWith(usable.Token), "/api/token/get_token_info", first));
        Assert.Equal(usable.Id, (string?)self["token"]!["tokenId"]);

        // Spent on the Lattica surface, refused on the query side.
        const string second = "192.0.2.104";
        await ErrorAsync(await PostAsync(unknown, "/api/token/get_token_info", second), HttpStatusCode.Unauthorized, "TOKEN_UNKNOWN");
        await ErrorAsync(await PostAsync(_app.ClientWith("tsq_" + new string('0', 49)), "/api/token/get_token_info", second), HttpStatusCode.Unauthorized, "TOKEN_MALFORMED");
        // Naming another token in the body is 404 before the bearer is looked at: it reads nothing, so it counts nothing.
        await ErrorAsync(await PostAsync(unknown, "/api/token/get_token_info", second, new JsonObject { ["token"] = usable.Token }), HttpStatusCode.NotFound, "TOKEN_NOT_FOUND");
        await ErrorAsync(await PostAsync(unknown, "/api/token/get_token_info", second), HttpStatusCode.Unauthorized, "TOKEN_UNKNOWN");
        var limited = await SendAsync(unknown, HttpMethod.Get, QuerySide.AuthPath(workload.Id), second);
        await limited.ProblemAsync(HttpStatusCode.TooManyRequests, "too_many_failures");
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(_app.ClientWith(usable.Token), HttpMethod.Get, QuerySide.AuthPath(workload.Id), second)).StatusCode);
        await LimitedAsync(await PostAsync(unknown, "/api/token/get_token_info", second));
    }

    [Fact]
    public async Task Lattica_writes_and_refusals_are_audited_with_the_client_address()
    {
        const string address = "198.51.100.23";
        var account = await _app.NewAccountAsync();
        var modelId = (string)(await ResultAsync(await PostAsync(account.Client, "/api/model/create_model", address, new JsonObject { ["modelName"] = "vision" })))!;
        var issued = await ResultAsync(await PostAsync(account.Client, "/api/token/generate_token", address, new JsonObject { ["modelId"] = modelId, ["tokenName"] = "bob" }));
        var tokenId = (string)issued["tokenId"]!;
        await ResultAsync(await PostAsync(account.Client, "/api/token/update_token_info", address, new JsonObject { ["tokenId"] = tokenId, ["tokenName"] = "bob-2" }));
        await ResultAsync(await PostAsync(account.Client, "/api/token/delete_token", address, new JsonObject { ["tokenId"] = tokenId }));

        var model = Assert.Single((await account.AuditAsync($"?objectId={modelId}")).Items);
        Assert.Equal((AuditActions.WorkloadCreated, AuditActors.LicenseKey, address), (model.Action, model.ActorType, model.ClientIp));
        var token = (await account.AuditAsync($"?objectId={tokenId}")).Items;
        Assert.Equal(new[] { AuditActions.TokenCreated, AuditActions.TokenDeleted, AuditActions.TokenRenamed }.Order(StringComparer.Ordinal),
            token.Select(e => e.Action).Order(StringComparer.Ordinal));
        Assert.All(token, e => Assert.Equal((AuditActors.LicenseKey, address), (e.ActorType, e.ClientIp)));

        // A revoked key presented at the Lattica door is recorded as at /v1: with the address it came from.
        var key = await (await account.Client.PostJsonAsync("/v1/license-keys", new { name = "old script" })).ReadAsync<CreatedLicenseKeyResponse>(HttpStatusCode.Created);
        await account.Client.DeleteAsync($"/v1/license-keys/{key.Id}", TestContext.Current.CancellationToken).EnsureAsync(HttpStatusCode.NoContent);
        await ErrorAsync(await PostAsync(_app.ClientWith(key.Key), "/api/token/list_tokens", "198.51.100.24"), HttpStatusCode.Unauthorized, "LICENSE_KEY_INVALID");
        var refused = Assert.Single((await account.AuditAsync($"?objectId={key.Id}&action={AuditActions.LicenseKeyRefused}")).Items);
        Assert.Equal("198.51.100.24", refused.ClientIp);
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string url, string forwardedFor)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
        return client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>A Lattica call as the SDK sends it (the fields and client_info), from <paramref name="forwardedFor"/>.</summary>
    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string endpoint, string forwardedFor, JsonObject? fields = null)
    {
        var body = fields ?? [];
        body["client_info"] = new JsonObject { ["module"] = "lattica_management", ["version"] = "0.1.6" };
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor);
        return client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static async Task<JsonNode> ResultAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!["result"]!;
    }

    /// <summary>Lattica's refusal: the status, <c>application/json</c>, exactly <c>{error, error_code}</c>.</summary>
    private static async Task<JsonObject> ErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == status, $"expected {(int)status} {code}, got {(int)response.StatusCode} {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonNode.Parse(text)!.AsObject();
        Assert.Equal(["error", "error_code"], body.Select(p => p.Key));
        Assert.Equal(code, (string?)body["error_code"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)body["error"]));
        return body;
    }

    /// <summary>The limiter's 429 in Lattica's shape, with a Retry-After the SDK's caller can wait for.</summary>
    private static async Task LimitedAsync(HttpResponseMessage response)
    {
        var body = await ErrorAsync(response, HttpStatusCode.TooManyRequests, "TOO_MANY_FAILURES");
        Assert.DoesNotContain("tsl_", (string?)body["error"], StringComparison.Ordinal);
        Assert.DoesNotContain("tsq_", (string?)body["error"], StringComparison.Ordinal);
        var retryAfter = response.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
    }
}
