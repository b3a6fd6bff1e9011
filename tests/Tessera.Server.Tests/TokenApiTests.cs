using System.Net;
using Tessera.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>API.md §3, tokens: issue, read, merge-patch, renew, delete, and every refusal on the way.</summary>
public abstract class TokenApiTests(TesseraApp app)
{
    public sealed class OnSqlite(TesseraApp app) : TokenApiTests(app), IClassFixture<TesseraApp>;

    public sealed class OnPostgres(PostgresTesseraApp app) : TokenApiTests(app.Require()), IClassFixture<PostgresTesseraApp>;

    [Fact]
    public async Task Issuing_a_bound_token_returns_every_field_and_the_secret_once()
    {
        var account = await app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama-3");

        var response = await account.Client.PostJsonAsync("/v1/tokens", new CreateTokenRequest("  alice  ", workload.Id, "paid plan"));
        var token = await response.ReadAsync<CreatedTokenResponse>(HttpStatusCode.Created);

        Assert.Equal($"/v1/tokens/{token.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", response.Headers.ETag?.ToString());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.StartsWith("tok_", token.Id, StringComparison.Ordinal);
        Assert.Equal("alice", token.Name); // trimmed
        Assert.Equal("paid plan", token.Note);
        Assert.Equal(workload.Id, token.WorkloadId);
        Assert.Equal(("active", "usable"), (token.Status, token.State));
        Assert.Equal(app.Time.GetUtcNow(), token.CreatedAt);
        Assert.Equal(token.CreatedAt, token.UpdatedAt);
        Assert.Equal(token.CreatedAt + TimeSpan.FromDays(30), token.ExpiresAt);
        Assert.Null(token.LastUsedAt);
        Assert.Equal(0, token.UseCount);
        Assert.Equal(1, token.Version);
        Assert.Matches("^tsq_[0-9A-Za-z]{49}$", token.Token);
        Assert.Equal($"tsq_…{token.Token[^4..]}", token.Hint);

        // Reading it back: the same fields, never the secret.
        var read = await account.Client.GetAsync($"/v1/tokens/{token.Id}");
        var json = await read.JsonObjectAsync();
        Assert.False(json.ContainsKey("token"));
        Assert.DoesNotContain(token.Token, json.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("\"1\"", read.Headers.ETag?.ToString());
        Assert.Equivalent(await account.GetTokenAsync(token.Id), token, strict: false);
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$", json["createdAt"]!.GetValue<string>());
    }

    [Fact]
    public async Task Issuing_without_a_workload_parks_the_token_unassigned()
    {
        var account = await app.NewAccountAsync();

        var token = await account.CreateTokenAsync("bob");

        Assert.Null(token.WorkloadId);
        Assert.Equal("unassigned", token.State);
        Assert.Equal("", token.Note);
    }

    [Fact]
    public async Task Issuing_through_the_workload_path_binds_the_token()
    {
        var account = await app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("phi");

        var token = await (await account.Client.PostJsonAsync($"/v1/workloads/{workload.Id}/tokens", new CreateWorkloadTokenRequest("carol", "n")))
            .ReadAsync<CreatedTokenResponse>(HttpStatusCode.Created);

        Assert.Equal(workload.Id, token.WorkloadId);
        Assert.Equal("n", token.Note);
        var missing = "wl_" + new string('0', 32);
        await (await account.Client.PostJsonAsync($"/v1/workloads/{missing}/tokens", new { name = "x" }))
            .ProblemAsync(HttpStatusCode.NotFound, "workload_not_found");
        await (await account.Client.PostJsonAsync("/v1/workloads/garbage/tokens", new { name = "x" }))
            .ProblemAsync(HttpStatusCode.NotFound, "workload_not_found");
        await (await account.Client.PostJsonAsync($"/v1/workloads/{workload.Id}/tokens", new { name = "x", workloadId = workload.Id }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
    }

    public static TheoryData<string, string> InvalidCreations => new()
    {
        { """{}""", "name" },
        { """{"name":null}""", "name" },
        { """{"name":""}""", "name" },
        { """{"name":"   "}""", "name" },
        { """{"name":5}""", "name" },
        { """{"name":["a"]}""", "name" },
        { """{"name":{"a":1}}""", "name" },
        { """{"name":true}""", "name" },
        { "{\"name\":\"" + new string('n', 101) + "\"}", "name" },
        { """{"name":"tab\tin name"}""", "name" },
        { """{"name":"nul\u0000"}""", "name" },
        { """{"name":"bell\u0007"}""", "name" },
        { """{"name":"rtl\u202Eoverride"}""", "name" },
        { """{"name":"lone \uD800 surrogate"}""", "name" },
        { "{\"name\":\"ok\",\"note\":\"" + new string('n', 1001) + "\"}", "note" },
        { """{"name":"ok","note":7}""", "note" },
        { """{"name":"ok","workloadId":"wl_nope"}""", "workloadId" },
        { """{"name":"ok","workloadId":"wl_00000000000000000000000000000000"}""", "workloadId" },
        { """{"name":"ok","workloadId":12}""", "workloadId" },
        { """{"name":"ok","status":"active"}""", "status" },
        { """{"name":"ok","name":"twice"}""", "name" },
        { """{"name":"ok","token":"tsq_mine"}""", "token" },
    };

    [Theory]
    [MemberData(nameof(InvalidCreations))]
    public async Task Invalid_creations_are_422_with_the_field_named_and_store_nothing(string body, string field)
    {
        var account = await app.NewAccountAsync();

        var response = await account.Client.SendRawAsync(HttpMethod.Post, "/v1/tokens", body);

        var problem = await response.ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.NotNull(problem.Errors);
        Assert.Contains(field, problem.Errors!.Keys);
        Assert.Empty((await account.ListTokensAsync()).Items);
    }

    [Fact]
    public async Task A_name_with_sql_and_markup_characters_is_stored_verbatim()
    {
        var account = await app.NewAccountAsync();
        const string name = "Robert'); DROP TABLE query_tokens;-- <b>%_\\";

        var token = await account.CreateTokenAsync(name, note: "multi\nline\tnote");

        Assert.Equal(name, (await account.GetTokenAsync(token.Id)).Name);
        Assert.Equal("multi\nline\tnote", (await account.GetTokenAsync(token.Id)).Note);
        Assert.Single((await account.ListTokensAsync("?q=" + Uri.EscapeDataString("drop table"))).Items);
        Assert.Single((await account.ListTokensAsync("?q=" + Uri.EscapeDataString("<b>%_"))).Items);
        Assert.Empty((await account.ListTokensAsync("?q=" + Uri.EscapeDataString("%x"))).Items);
    }

    [Fact]
    public async Task Unicode_names_up_to_100_scalar_values_are_accepted()
    {
        var account = await app.NewAccountAsync();
        var emoji = string.Concat(Enumerable.Repeat("😀", 100));

        var token = await account.CreateTokenAsync(emoji);

        Assert.Equal(emoji, token.Name);
        Assert.Equal("مرحبا", (await account.CreateTokenAsync("مرحبا")).Name);
    }

    [Fact]
    public async Task Patch_changes_only_the_fields_it_names()
    {
        var account = await app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama-3");
        var token = await account.CreateTokenAsync("alice", workload.Id, "n1");
        app.Time.Advance(TimeSpan.FromMinutes(1));

        var renamed = await account.PatchTokenAsync(token.Id, new { name = "alice 2" });
        Assert.Equal(("alice 2", "n1", workload.Id, "active"), (renamed.Name, renamed.Note, renamed.WorkloadId, renamed.Status));
        Assert.Equal(2, renamed.Version);
        Assert.Equal(app.Time.GetUtcNow(), renamed.UpdatedAt);
        Assert.Equal(token.ExpiresAt, renamed.ExpiresAt);

        var noted = await account.PatchTokenAsync(token.Id, new { note = "n2" });
        Assert.Equal(("alice 2", "n2"), (noted.Name, noted.Note));
        var cleared = await account.PatchTokenAsync(token.Id, new Dictionary<string, object?> { ["note"] = null });
        Assert.Equal("", cleared.Note);

        // application/json is accepted as well as merge-patch+json; an empty patch changes nothing.
        var same = await (await account.Client.PatchJsonAsync($"/v1/tokens/{token.Id}", new { }, mediaType: "application/json")).ReadAsync<TokenResponse>();
        Assert.Equal(cleared.Version, same.Version);
        var unchanged = await account.PatchTokenAsync(token.Id, new { name = "alice 2" });
        Assert.Equal(cleared.Version, unchanged.Version);
    }

    [Fact]
    public async Task Patch_can_set_the_expiry_within_now_and_one_lifetime()
    {
        var account = await app.NewAccountAsync();
        var token = await account.CreateTokenAsync("alice");
        var now = app.Time.GetUtcNow();

        var sooner = await account.PatchTokenAsync(token.Id, new { expiresAt = now.AddDays(3).ToString("yyyy-MM-ddTHH:mm:ssZ") });
        Assert.Equal(now.AddDays(3), sooner.ExpiresAt);
        var longest = await account.PatchTokenAsync(token.Id, new { expiresAt = now.AddDays(30).ToString("O") });
        Assert.Equal(now.AddDays(30), longest.ExpiresAt);
        var offset = await account.PatchTokenAsync(token.Id, new { expiresAt = now.AddDays(1).ToOffset(TimeSpan.FromHours(2)).ToString("yyyy-MM-ddTHH:mm:sszzz") });
        Assert.Equal(now.AddDays(1), offset.ExpiresAt);

        foreach (var bad in new object?[]
                 {
                     now.ToString("O"), now.AddSeconds(-1).ToString("O"), now.AddDays(30).AddMilliseconds(1).ToString("O"),
                     "tomorrow", "2026-12-01", "2026-12-01T00:00:00", "9999-12-31T23:59:59Z", "", 1700000000, null,
                 })
        {
            var response = await account.Client.PatchJsonAsync($"/v1/tokens/{token.Id}", new Dictionary<string, object?> { ["expiresAt"] = bad });
            var problem = await response.ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
            Assert.Contains("expiresAt", problem.Errors!.Keys);
        }
        Assert.Equal(offset.ExpiresAt, (await account.GetTokenAsync(token.Id)).ExpiresAt);
    }

    [Fact]
    public async Task Patch_refuses_bad_values_with_every_field_error_and_changes_nothing()
    {
        var account = await app.NewAccountAsync();
        var token = await account.CreateTokenAsync("alice");

        var response = await account.Client.SendRawAsync(HttpMethod.Patch, $"/v1/tokens/{token.Id}",
            """{"name":null,"status":"paused","workloadId":"nope","stauts":"cancelled","note":{"x":1}}""", "application/merge-patch+json");

        // Wrong JSON types and unknown fields are reported before values are looked at.
        var problem = await response.ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Equal(["note", "stauts"], problem.Errors!.Keys.Order(StringComparer.Ordinal).ToArray());
        Assert.Equivalent(await account.GetTokenAsync(token.Id), token, strict: false);

        var values = await account.Client.PatchJsonAsync($"/v1/tokens/{token.Id}", new Dictionary<string, object?> { ["name"] = null, ["status"] = "paused", ["workloadId"] = "nope" });
        var valueProblem = await values.ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Equal(["name", "status", "workloadId"], valueProblem.Errors!.Keys.Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(1, (await account.GetTokenAsync(token.Id)).Version);
    }

    [Fact]
    public async Task Patch_to_a_workload_that_does_not_exist_is_422_and_keeps_the_assignment()
    {
        var account = await app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama-3");
        var token = await account.CreateTokenAsync("alice", workload.Id);

        var response = await account.Client.PatchJsonAsync($"/v1/tokens/{token.Id}", new { workloadId = "wl_" + new string('a', 32) });

        var problem = await response.ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Contains("workloadId", problem.Errors!.Keys);
        Assert.Equal(workload.Id, (await account.GetTokenAsync(token.Id)).WorkloadId);
    }

    [Fact]
    public async Task Renew_extends_an_active_token_and_refuses_a_cancelled_one()
    {
        var account = await app.NewAccountAsync();
        var token = await account.CreateTokenAsync("alice");
        app.Time.Advance(TimeSpan.FromDays(10));

        var response = await account.Client.PostAsync($"/v1/tokens/{token.Id}/renew", null);
        var renewed = await response.ReadAsync<TokenResponse>();
        Assert.Equal(app.Time.GetUtcNow() + TimeSpan.FromDays(30), renewed.ExpiresAt);
        Assert.Equal(2, renewed.Version);
        Assert.Equal("\"2\"", response.Headers.ETag?.ToString());

        await account.PatchTokenAsync(token.Id, new { status = "cancelled" });
        await (await account.Client.PostAsync($"/v1/tokens/{token.Id}/renew", null)).ProblemAsync(HttpStatusCode.Conflict, "token_cancelled");
        Assert.Equal(renewed.ExpiresAt, (await account.GetTokenAsync(token.Id)).ExpiresAt);

        // Reactivate and renew in sequence, as the error says.
        await account.PatchTokenAsync(token.Id, new { status = "active" });
        app.Time.Advance(TimeSpan.FromDays(1));
        var again = await (await account.Client.PostAsync($"/v1/tokens/{token.Id}/renew", null)).ReadAsync<TokenResponse>();
        Assert.Equal(app.Time.GetUtcNow() + TimeSpan.FromDays(30), again.ExpiresAt);
    }

    [Fact]
    public async Task Delete_removes_the_token_and_a_second_delete_is_404()
    {
        var account = await app.NewAccountAsync();
        var token = await account.CreateTokenAsync("alice");

        await account.Client.DeleteAsync($"/v1/tokens/{token.Id}").EnsureAsync(HttpStatusCode.NoContent);

        await (await account.Client.GetAsync($"/v1/tokens/{token.Id}")).ProblemAsync(HttpStatusCode.NotFound, "token_not_found");
        await (await account.Client.DeleteAsync($"/v1/tokens/{token.Id}")).ProblemAsync(HttpStatusCode.NotFound, "token_not_found");
        await (await account.Client.PostAsync($"/v1/tokens/{token.Id}/renew", null)).ProblemAsync(HttpStatusCode.NotFound, "token_not_found");
        await (await account.Client.PatchJsonAsync($"/v1/tokens/{token.Id}", new { name = "x" })).ProblemAsync(HttpStatusCode.NotFound, "token_not_found");
    }

    [Theory]
    [InlineData("tok_")]
    [InlineData("tok_zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz")]
    [InlineData("1 OR 1=1")]
    [InlineData("..%2F..%2Fetc%2Fpasswd")]
    [InlineData("tok_00000000000000000000000000000000")]
    public async Task Unknown_or_malformed_token_ids_are_404_for_every_verb(string id)
    {
        var account = await app.NewAccountAsync();
        var url = $"/v1/tokens/{id}";
        await (await account.Client.GetAsync(url)).ProblemAsync(HttpStatusCode.NotFound, "token_not_found");
        await (await account.Client.PatchJsonAsync(url, new { name = "x" })).ProblemAsync(HttpStatusCode.NotFound, "token_not_found");
        await (await account.Client.PostAsync(url + "/renew", null)).ProblemAsync(HttpStatusCode.NotFound, "token_not_found");
        await (await account.Client.DeleteAsync(url)).ProblemAsync(HttpStatusCode.NotFound, "token_not_found");
    }

    [Fact]
    public async Task If_match_guards_patch_renew_and_delete()
    {
        var account = await app.NewAccountAsync();
        var token = await account.CreateTokenAsync("alice");

        var ok = await account.Client.PatchJsonAsync($"/v1/tokens/{token.Id}", new { name = "v2" }, ifMatch: "\"1\"");
        Assert.Equal(2, (await ok.ReadAsync<TokenResponse>()).Version);

        await (await account.Client.PatchJsonAsync($"/v1/tokens/{token.Id}", new { name = "stale" }, ifMatch: "\"1\""))
            .ProblemAsync(HttpStatusCode.PreconditionFailed, "precondition_failed");
        await (await account.Client.SendRawAsync(HttpMethod.Post, $"/v1/tokens/{token.Id}/renew", null, ifMatch: "\"1\""))
            .ProblemAsync(HttpStatusCode.PreconditionFailed, "precondition_failed");
        await (await account.Client.SendRawAsync(HttpMethod.Delete, $"/v1/tokens/{token.Id}", null, ifMatch: "\"1\""))
            .ProblemAsync(HttpStatusCode.PreconditionFailed, "precondition_failed");
        Assert.Equal(("v2", 2L), ((await account.GetTokenAsync(token.Id)).Name, (await account.GetTokenAsync(token.Id)).Version));

        foreach (var malformed in new[] { "1", "W/\"2\"", "\"two\"", "\"2\", \"3\"", "\"-1\"" })
        {
            await (await account.Client.PatchJsonAsync($"/v1/tokens/{token.Id}", new { name = "x" }, ifMatch: malformed))
                .ProblemAsync(HttpStatusCode.BadRequest, "invalid_if_match");
        }
        await account.Client.PatchJsonAsync($"/v1/tokens/{token.Id}", new { name = "any" }, ifMatch: "*").EnsureAsync(HttpStatusCode.OK);
        await account.Client.SendRawAsync(HttpMethod.Delete, $"/v1/tokens/{token.Id}", null, ifMatch: "\"3\"").EnsureAsync(HttpStatusCode.NoContent);
    }

    [Theory]
    [InlineData("{\"name\":", "invalid_json", HttpStatusCode.BadRequest)]
    [InlineData("not json", "invalid_json", HttpStatusCode.BadRequest)]
    [InlineData("[1,2]", "invalid_json", HttpStatusCode.BadRequest)]
    [InlineData("\"alice\"", "invalid_json", HttpStatusCode.BadRequest)]
    [InlineData("null", "invalid_json", HttpStatusCode.BadRequest)]
    [InlineData("", "invalid_json", HttpStatusCode.BadRequest)]
    public async Task Malformed_bodies_are_400_invalid_json(string body, string code, HttpStatusCode status)
    {
        var account = await app.NewAccountAsync();

        await (await account.Client.SendRawAsync(HttpMethod.Post, "/v1/tokens", body)).ProblemAsync(status, code);
        Assert.Empty((await account.ListTokensAsync()).Items);
    }

    [Fact]
    public async Task Deeply_nested_json_is_refused_without_a_server_error()
    {
        var account = await app.NewAccountAsync();
        var body = "{\"name\":" + new string('[', 5000) + new string(']', 5000) + "}";

        await (await account.Client.SendRawAsync(HttpMethod.Post, "/v1/tokens", body)).ProblemAsync(HttpStatusCode.BadRequest, "invalid_json");
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json; charset=utf-16")]
    [InlineData(null)]
    public async Task Bodies_that_are_not_json_are_415(string? mediaType)
    {
        var account = await app.NewAccountAsync();

        await (await account.Client.SendRawAsync(HttpMethod.Post, "/v1/tokens", "{\"name\":\"a\"}", mediaType))
            .ProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        Assert.Empty((await account.ListTokensAsync()).Items);
    }

    [Fact]
    public async Task Merge_patch_media_type_is_only_for_patch()
    {
        var account = await app.NewAccountAsync();

        await (await account.Client.SendRawAsync(HttpMethod.Post, "/v1/tokens", "{\"name\":\"a\"}", "application/merge-patch+json"))
            .ProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Fact]
    public async Task A_body_over_64_KiB_is_413_and_stores_nothing()
    {
        var account = await app.NewAccountAsync();
        var body = "{\"name\":\"a\",\"note\":\"" + new string('x', 70 * 1024) + "\"}";

        await (await account.Client.SendRawAsync(HttpMethod.Post, "/v1/tokens", body)).ProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");

        // Without a Content-Length (chunked), the limit holds while reading.
        var chunked = new HttpRequestMessage(HttpMethod.Post, "/v1/tokens")
        {
            Content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body))),
        };
        chunked.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        chunked.Headers.TransferEncodingChunked = true;
        await (await account.Client.SendAsync(chunked)).ProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        Assert.Empty((await account.ListTokensAsync()).Items);
    }
}
