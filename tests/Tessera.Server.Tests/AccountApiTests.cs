using System.Net;
using Tessera.Contracts;
using Tessera.Core.Secrets;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>API.md §3: the account, license keys, and management authentication.</summary>
public abstract class AccountApiTests(TesseraApp app)
{
    public sealed class OnSqlite(TesseraApp app) : AccountApiTests(app), IClassFixture<TesseraApp>;

    public sealed class OnPostgres(PostgresTesseraApp app) : AccountApiTests(app.Require()), IClassFixture<PostgresTesseraApp>;

    [Fact]
    public async Task The_account_describes_the_caller()
    {
        var account = await app.NewAccountAsync("Acme AI");

        var read = await (await account.Client.GetAsync("/v1/account")).ReadAsync<AccountResponse>();

        Assert.Equal(new AccountResponse(account.Id, "Acme AI", app.Time.GetUtcNow()), read);
    }

    [Fact]
    public async Task The_bootstrap_key_from_configuration_opens_the_first_account()
    {
        var read = await (await app.ClientWith(app.BootstrapKey).GetAsync("/v1/account")).ReadAsync<AccountResponse>();

        Assert.Equal("Default account", read.Name);
    }

    [Fact]
    public async Task License_keys_are_listed_by_hint_created_once_and_revoked()
    {
        var account = await app.NewAccountAsync();

        var response = await account.Client.PostJsonAsync("/v1/license-keys", new CreateLicenseKeyRequest("ci pipeline"));
        var created = await response.ReadAsync<CreatedLicenseKeyResponse>(HttpStatusCode.Created);
        Assert.Matches("^tsl_[0-9A-Za-z]{49}$", created.Key);
        Assert.Equal(("ci pipeline", "active", $"tsl_…{created.Key[^4..]}"), (created.Name, created.Status, created.Hint));
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());

        var second = app.ClientWith(created.Key);
        Assert.Equal(account.Id, (await (await second.GetAsync("/v1/account")).ReadAsync<AccountResponse>()).Id);

        var listText = await (await account.Client.GetAsync("/v1/license-keys")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(created.Key, listText, StringComparison.Ordinal);
        Assert.DoesNotContain(account.LicenseKey, listText, StringComparison.Ordinal);
        var list = await (await account.Client.GetAsync("/v1/license-keys")).ReadAsync<ItemsResponse<LicenseKeyResponse>>();
        Assert.Equal(2, list.Items.Count);
        Assert.NotNull(list.Items.Single(k => k.Id != created.Id).LastUsedAt); // the key this test is calling with

        // Revoking takes effect on the very next call made with that key.
        await account.Client.DeleteAsync($"/v1/license-keys/{created.Id}").EnsureAsync(HttpStatusCode.NoContent);
        await (await second.GetAsync("/v1/account")).ProblemAsync(HttpStatusCode.Unauthorized, "license_key_invalid");
        var revoked = (await (await account.Client.GetAsync("/v1/license-keys")).ReadAsync<ItemsResponse<LicenseKeyResponse>>()).Items.Single(k => k.Id == created.Id);
        Assert.Equal("revoked", revoked.Status);
        Assert.Equal(app.Time.GetUtcNow(), revoked.RevokedAt);
    }

    [Fact]
    public async Task The_last_active_key_cannot_be_revoked()
    {
        var account = await app.NewAccountAsync();
        var keys = await (await account.Client.GetAsync("/v1/license-keys")).ReadAsync<ItemsResponse<LicenseKeyResponse>>();

        await (await account.Client.DeleteAsync($"/v1/license-keys/{keys.Items.Single().Id}")).ProblemAsync(HttpStatusCode.Conflict, "last_license_key");

        Assert.Equal(HttpStatusCode.OK, (await account.Client.GetAsync("/v1/account")).StatusCode);
    }

    [Fact]
    public async Task Key_management_refusals_have_codes()
    {
        var account = await app.NewAccountAsync();
        await (await account.Client.PostJsonAsync("/v1/license-keys", new { })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await account.Client.PostJsonAsync("/v1/license-keys", new { name = "k", key = "tsl_chosen" })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await account.Client.DeleteAsync("/v1/license-keys/lic_00000000000000000000000000000000")).ProblemAsync(HttpStatusCode.NotFound, "license_key_not_found");
        await (await account.Client.DeleteAsync("/v1/license-keys/nope")).ProblemAsync(HttpStatusCode.NotFound, "license_key_not_found");
    }

    [Fact]
    public async Task Management_calls_without_a_valid_license_key_are_401_with_a_code()
    {
        var missing = await app.ClientWith(null).GetAsync("/v1/tokens");
        await missing.ProblemAsync(HttpStatusCode.Unauthorized, "license_key_missing");
        Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.ToString());

        var malformed = await app.ClientWith("tsl_short").GetAsync("/v1/tokens");
        await malformed.ProblemAsync(HttpStatusCode.Unauthorized, "license_key_malformed");
        Assert.Equal("Bearer error=\"invalid_token\"", malformed.Headers.WwwAuthenticate.ToString());

        await (await app.ClientWith(SecretFormat.Generate(SecretKind.LicenseKey)).GetAsync("/v1/tokens")).ProblemAsync(HttpStatusCode.Unauthorized, "license_key_invalid");
        await (await app.ClientWith(SecretFormat.Generate(SecretKind.QueryToken)).PostJsonAsync("/v1/tokens", new { name = "x" }))
            .ProblemAsync(HttpStatusCode.Unauthorized, "license_key_malformed");
    }

    [Fact]
    public async Task A_license_key_is_accepted_only_in_the_authorization_header()
    {
        var account = await app.NewAccountAsync();
        var anonymous = app.ClientWith(null);

        foreach (var parameter in new[] { "access_token", "key", "license_key", "token" })
        {
            await (await anonymous.GetAsync($"/v1/account?{parameter}={account.LicenseKey}")).ProblemAsync(HttpStatusCode.Unauthorized, "license_key_missing");
        }
        var cookie = new HttpRequestMessage(HttpMethod.Get, "/v1/account");
        cookie.Headers.Add("Cookie", $"license_key={account.LicenseKey}");
        await (await anonymous.SendAsync(cookie)).ProblemAsync(HttpStatusCode.Unauthorized, "license_key_missing");
    }
}
