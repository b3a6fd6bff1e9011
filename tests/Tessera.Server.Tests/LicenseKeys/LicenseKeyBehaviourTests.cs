using System.Net;
using Tessera.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.LicenseKeys;

/// <summary>
/// Issue #7 §5, the gaps left by <see cref="AccountApiTests"/>: several named keys, their list entries,
/// revoking the very key in use, the last-active-key rule under revocations and under a race.
/// </summary>
public sealed class LicenseKeyBehaviourTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    [Fact]
    public async Task Several_named_keys_are_listed_with_hint_created_and_last_used_and_only_a_used_key_has_last_used()
    {
        var account = await app.NewAccountAsync();
        var ciCreated = app.Time.GetUtcNow();
        var ci = await CreateKeyAsync(account, "ci pipeline");
        app.Time.Advance(TimeSpan.FromMinutes(5));
        var opsCreated = app.Time.GetUtcNow();
        var ops = await CreateKeyAsync(account, "ops laptop");
        app.Time.Advance(TimeSpan.FromMinutes(5));

        await app.ClientWith(ops.Key).GetAsync("/v1/account").EnsureAsync(HttpStatusCode.OK);

        var keys = (await ListAsync(account)).ToDictionary(k => k.Name);
        Assert.Equal(["Initial key", "ci pipeline", "ops laptop"], keys.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(($"tsl_…{ci.Key[^4..]}", ciCreated, (DateTimeOffset?)null), (keys["ci pipeline"].Hint, keys["ci pipeline"].CreatedAt, keys["ci pipeline"].LastUsedAt));
        Assert.Equal(($"tsl_…{ops.Key[^4..]}", opsCreated, (DateTimeOffset?)app.Time.GetUtcNow()), (keys["ops laptop"].Hint, keys["ops laptop"].CreatedAt, keys["ops laptop"].LastUsedAt));
        Assert.All(keys.Values, k => Assert.Equal(("active", (DateTimeOffset?)null), (k.Status, k.RevokedAt)));
    }

    [Fact]
    public async Task Revoking_the_key_in_use_takes_effect_on_the_next_call_made_with_it()
    {
        var account = await app.NewAccountAsync();
        var spare = await CreateKeyAsync(account, "spare");
        var own = (await ListAsync(account)).Single(k => k.Name == "Initial key");
        await account.Client.GetAsync("/v1/tokens").EnsureAsync(HttpStatusCode.OK);

        await account.Client.DeleteAsync($"/v1/license-keys/{own.Id}").EnsureAsync(HttpStatusCode.NoContent);

        await (await account.Client.GetAsync("/v1/tokens")).ProblemAsync(HttpStatusCode.Unauthorized, "license_key_invalid");
        await (await account.Client.PostJsonAsync("/v1/license-keys", new { name = "sneaky" })).ProblemAsync(HttpStatusCode.Unauthorized, "license_key_invalid");
        var spareClient = app.ClientWith(spare.Key);
        var listed = (await (await spareClient.GetAsync("/v1/license-keys")).ReadAsync<ItemsResponse<LicenseKeyResponse>>()).Items;
        Assert.Equal(("revoked", (DateTimeOffset?)app.Time.GetUtcNow()), (listed.Single(k => k.Id == own.Id).Status, listed.Single(k => k.Id == own.Id).RevokedAt));
        Assert.DoesNotContain(listed, k => k.Name == "sneaky");
        // Revoking it again changes nothing and says so plainly.
        await spareClient.DeleteAsync($"/v1/license-keys/{own.Id}").EnsureAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task The_last_active_key_cannot_be_revoked_however_many_revoked_keys_the_account_has()
    {
        var account = await app.NewAccountAsync();
        var second = await CreateKeyAsync(account, "second");
        var third = await CreateKeyAsync(account, "third");
        await account.Client.DeleteAsync($"/v1/license-keys/{second.Id}").EnsureAsync(HttpStatusCode.NoContent);
        var own = (await ListAsync(account)).Single(k => k.Name == "Initial key");
        await account.Client.DeleteAsync($"/v1/license-keys/{own.Id}").EnsureAsync(HttpStatusCode.NoContent);

        var last = app.ClientWith(third.Key);
        await (await last.DeleteAsync($"/v1/license-keys/{third.Id}")).ProblemAsync(HttpStatusCode.Conflict, "last_license_key");

        await last.GetAsync("/v1/account").EnsureAsync(HttpStatusCode.OK);
        Assert.Equal(["third"], (await (await last.GetAsync("/v1/license-keys")).ReadAsync<ItemsResponse<LicenseKeyResponse>>()).Items
            .Where(k => k.Status == "active").Select(k => k.Name));
    }

    [Fact]
    public async Task Two_keys_revoking_each_other_at_once_leave_exactly_one_active()
    {
        for (var round = 0; round < 10; round++)
        {
            var account = await app.NewAccountAsync();
            var other = await CreateKeyAsync(account, "other");
            var own = (await ListAsync(account)).Single(k => k.Name == "Initial key");

            var answers = await Task.WhenAll(
                account.Client.DeleteAsync($"/v1/license-keys/{other.Id}"),
                app.ClientWith(other.Key).DeleteAsync($"/v1/license-keys/{own.Id}"));

            Assert.Single(answers, a => a.StatusCode == HttpStatusCode.NoContent);
            var loser = Assert.Single(answers, a => a.StatusCode != HttpStatusCode.NoContent);
            // The loser either lost the race inside the revoking transaction (409) or its own key was already gone (401).
            Assert.Contains(loser.StatusCode, new[] { HttpStatusCode.Conflict, HttpStatusCode.Unauthorized });
            var survivor = answers[0].StatusCode == HttpStatusCode.NoContent ? account.Client : app.ClientWith(other.Key);
            var active = (await (await survivor.GetAsync("/v1/license-keys")).ReadAsync<ItemsResponse<LicenseKeyResponse>>()).Items.Where(k => k.Status == "active");
            Assert.Single(active);
        }
    }

    [Fact]
    public async Task Last_used_is_written_at_most_once_a_minute_so_reads_do_not_become_writes()
    {
        var account = await app.NewAccountAsync();
        await account.Client.GetAsync("/v1/account").EnsureAsync(HttpStatusCode.OK);
        var first = (await ListAsync(account)).Single().LastUsedAt;

        app.Time.Advance(TimeSpan.FromSeconds(30));
        var unchanged = (await ListAsync(account)).Single().LastUsedAt;
        app.Time.Advance(TimeSpan.FromSeconds(31));
        var moved = (await ListAsync(account)).Single().LastUsedAt;

        Assert.Equal(first, unchanged);
        Assert.Equal(app.Time.GetUtcNow(), moved);
    }

    private static async Task<CreatedLicenseKeyResponse> CreateKeyAsync(TestAccount account, string name) =>
        await (await account.Client.PostJsonAsync("/v1/license-keys", new CreateLicenseKeyRequest(name))).ReadAsync<CreatedLicenseKeyResponse>(HttpStatusCode.Created);

    private static async Task<IReadOnlyList<LicenseKeyResponse>> ListAsync(TestAccount account) =>
        (await (await account.Client.GetAsync("/v1/license-keys")).ReadAsync<ItemsResponse<LicenseKeyResponse>>()).Items;
}
