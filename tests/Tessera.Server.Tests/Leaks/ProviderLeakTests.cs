using System.Net;
using Tessera.Contracts;
using Tessera.Core.Secrets;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Leaks;

/// <summary>
/// API.md §11, <c>POST /v1/leaks</c>: a provider's own scanner reports what it found, authenticated by a license
/// key; a stored token of any account is cancelled, and the reporter is named only in its own account's trail.
/// </summary>
public abstract class ProviderLeakTests(TesseraApp app)
{
    public sealed class OnSqlite(TesseraApp app) : ProviderLeakTests(app), IClassFixture<TesseraApp>;

    public sealed class OnPostgres(PostgresTesseraApp app) : ProviderLeakTests(app.Require()), IClassFixture<PostgresTesseraApp>;

    [Fact]
    public async Task A_reported_token_of_the_callers_account_is_cancelled_and_the_key_is_the_actor()
    {
        var account = await app.NewAccountAsync();
        var token = await account.CreateTokenAsync("alice");
        var keyId = (await (await account.Client.GetAsync("/v1/license-keys")).ReadAsync<ItemsResponse<LicenseKeyResponse>>()).Items.Single().Id;

        var answer = await (await account.Client.PostJsonAsync("/v1/leaks",
            new LeakReportRequest(token.Token, "https://pastebin.example/raw/1", "paste"))).ReadAsync<LeakReportResponse>();

        Assert.Equal(new LeakReportResponse(LeakServer.HashHex(token.Token), "true_positive", "cancel"), answer);
        var after = await account.GetTokenAsync(token.Id);
        Assert.Equal("cancelled", after.Status);
        Assert.Equal(new TokenLeakResponse(app.Time.GetUtcNow(), "https://pastebin.example/raw/1", "paste"), after.Leak);
        var leaked = (await account.AuditAsync($"?objectId={token.Id}&action=token.leaked")).Items.Single();
        Assert.Equal(("license_key", keyId), (leaked.ActorType, leaked.ActorId));
    }

    [Fact]
    public async Task A_token_of_another_account_is_cancelled_too_but_the_reporter_is_not_named_in_that_account()
    {
        var owner = await app.NewAccountAsync("Owner");
        var scanner = await app.NewAccountAsync("Scanner");
        var token = await owner.CreateTokenAsync("bob");

        var answer = await (await scanner.Client.PostJsonAsync("/v1/leaks", new LeakReportRequest(token.Token))).ReadAsync<LeakReportResponse>();

        Assert.Equal("true_positive", answer.Label);
        var after = await owner.GetTokenAsync(token.Id);
        Assert.Equal("cancelled", after.Status);
        Assert.Equal(new TokenLeakResponse(app.Time.GetUtcNow(), null, null), after.Leak);
        var leaked = (await owner.AuditAsync($"?objectId={token.Id}&action=token.leaked")).Items.Single();
        Assert.Equal(("secret_scanning", null, null), (leaked.ActorType, leaked.ActorId, leaked.ClientIp));
        // Nothing about it lands in the scanner's own trail, and the scanner still cannot read the token.
        Assert.Empty((await scanner.AuditAsync($"?objectId={token.Id}")).Items);
        await (await scanner.Client.GetAsync($"/v1/tokens/{token.Id}")).ProblemAsync(HttpStatusCode.NotFound, "token_not_found");
    }

    [Fact]
    public async Task Look_alikes_are_false_positives_and_bad_fields_are_refused_with_nothing_changed()
    {
        var account = await app.NewAccountAsync();
        var token = await account.CreateTokenAsync("carol");
        var before = await account.GetTokenAsync(token.Id);

        var lookAlike = await (await account.Client.PostJsonAsync("/v1/leaks", new LeakReportRequest(GitHubLeakTests.BadChecksum(token.Token))))
            .ReadAsync<LeakReportResponse>();
        Assert.Equal(("false_positive", null), (lookAlike.Label, lookAlike.Action));
        var unknown = await (await account.Client.PostJsonAsync("/v1/leaks", new LeakReportRequest(SecretFormat.Generate(SecretKind.QueryToken))))
            .ReadAsync<LeakReportResponse>();
        Assert.Equal("false_positive", unknown.Label);

        var badUrl = await (await account.Client.PostJsonAsync("/v1/leaks", new LeakReportRequest(token.Token, "javascript:alert(1)")))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.True(badUrl.Errors!.ContainsKey("url"));
        await (await account.Client.PostJsonAsync("/v1/leaks", new { token = token.Token, source = new string('s', 101) }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await account.Client.PostJsonAsync("/v1/leaks", new { url = "https://example.com/" }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        var unknownField = await (await account.Client.PostJsonAsync("/v1/leaks", new { token = token.Token, secret = token.Token }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.DoesNotContain(token.Token, System.Text.Json.JsonSerializer.Serialize(unknownField), StringComparison.Ordinal);
        await (await app.ClientWith(null).PostJsonAsync("/v1/leaks", new LeakReportRequest(token.Token)))
            .ProblemAsync(HttpStatusCode.Unauthorized, "license_key_missing");

        Assert.Equivalent(before, await account.GetTokenAsync(token.Id), strict: true);
        Assert.Single((await account.AuditAsync($"?objectId={token.Id}")).Items);
    }
}
