using System.Net;
using Tessera.Contracts;
using Tessera.Core.Audit;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.LeastPrivilege;

/// <summary>
/// API.md §8, issue 15: a key never makes a key that can do more than itself, and every attempt is refused
/// (403 insufficient_scope) and recorded in the audit trail; existing keys hold <c>*</c>; an expired key is
/// refused like a revoked one; an account keeps a key that manages every key.
/// </summary>
public abstract class KeyEscalationTests(TesseraApp app)
{
    public sealed class OnSqlite(TesseraApp app) : KeyEscalationTests(app), IClassFixture<TesseraApp>;

    public sealed class OnPostgres(PostgresTesseraApp app) : KeyEscalationTests(app.Require()), IClassFixture<PostgresTesseraApp>;

    private static async Task<CreatedLicenseKeyResponse> CreateKeyAsync(HttpClient client, object body) =>
        await (await client.PostJsonAsync("/v1/license-keys", body)).ReadAsync<CreatedLicenseKeyResponse>(HttpStatusCode.Created);

    [Fact]
    public async Task The_first_key_and_a_key_given_no_scopes_hold_everything()
    {
        var account = await app.NewAccountAsync();
        var plain = await CreateKeyAsync(account.Client, new { name = "plain" });

        var keys = (await (await account.Client.GetAsync("/v1/license-keys")).ReadAsync<ItemsResponse<LicenseKeyResponse>>()).Items;
        Assert.All(keys, k => Assert.Equal(["*"], k.Scopes));
        Assert.All(keys, k => Assert.Equal((null, null), (k.WorkloadIds, k.ExpiresAt)));
        Assert.Equal(["*"], plain.Scopes);
        await app.ClientWith(plain.Key).GetAsync("/v1/audit").EnsureAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_key_cannot_create_a_wider_key_and_every_attempt_is_refused_and_audited()
    {
        var account = await app.NewAccountAsync();
        var wl = await account.CreateWorkloadAsync("a");
        var other = await account.CreateWorkloadAsync("b");
        var writer = app.ClientWith((await CreateKeyAsync(account.Client, new { name = "writer", scopes = new[] { "tokens:write" } })).Key);
        var manager = await CreateKeyAsync(account.Client, new { name = "manager", scopes = new[] { "keys:manage", "tokens:read" }, workloadIds = new[] { wl.Id } });
        var managerClient = app.ClientWith(manager.Key);

        // A tokens:write key may not create keys at all.
        var refused = await writer.PostJsonAsync("/v1/license-keys", new { name = "root", scopes = new[] { "*" } });
        await refused.ProblemAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        Assert.Equal("Bearer error=\"insufficient_scope\", scope=\"keys:manage\"", refused.Headers.WwwAuthenticate.ToString());
        // A keys:manage key may not create a key with a scope it lacks, or a workload it does not hold, or none bound.
        await (await managerClient.PostJsonAsync("/v1/license-keys", new { name = "root", scopes = new[] { "*" } })).ProblemAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        await (await managerClient.PostJsonAsync("/v1/license-keys", new { name = "w", scopes = new[] { "tokens:write" } })).ProblemAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        await (await managerClient.PostJsonAsync("/v1/license-keys", new { name = "b", scopes = new[] { "tokens:read" }, workloadIds = new[] { other.Id } }))
            .ProblemAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        // Nor change its own scopes after the fact.
        await (await managerClient.PatchJsonAsync($"/v1/license-keys/{manager.Id}", new { scopes = new[] { "*" } })).ProblemAsync(HttpStatusCode.Forbidden, "insufficient_scope");

        // Within its own: allowed, and what it leaves out it inherits (so leaving out never widens).
        var narrower = await CreateKeyAsync(managerClient, new { name = "reader", scopes = new[] { "tokens:read" } });
        Assert.Equal(["tokens:read"], narrower.Scopes);
        Assert.Equal([wl.Id], narrower.WorkloadIds!);

        var keys = (await (await account.Client.GetAsync("/v1/license-keys")).ReadAsync<ItemsResponse<LicenseKeyResponse>>()).Items;
        Assert.Equal(["Initial key", "manager", "reader", "writer"], keys.Select(k => k.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["tokens:read", "keys:manage"], keys.Single(k => k.Name == "manager").Scopes);
        var audit = (await account.AuditAsync($"?action={AuditActions.LicenseKeyScopeRefused}")).Items;
        Assert.Equal(5, audit.Count);
        Assert.All(audit, e => Assert.Equal("license_key", e.ActorType));
        Assert.Contains(audit, e => e.After?.GetProperty("needed").GetString() == "keys:manage" && e.After?.GetProperty("request").GetString() == "POST /v1/license-keys");
        Assert.Contains(audit, e => e.ActorId == manager.Id && e.After?.GetProperty("needed").GetString() == "workloadIds");
        Assert.Contains(audit, e => e.ActorId == manager.Id && e.After?.GetProperty("request").GetString() == "PATCH /v1/license-keys/{id}");
        // The keys:manage key sees only keys it could have made: not the wider ones.
        var seen = (await (await managerClient.GetAsync("/v1/license-keys")).ReadAsync<ItemsResponse<LicenseKeyResponse>>()).Items;
        Assert.Equal(["manager", "reader"], seen.Select(k => k.Name).Order(StringComparer.Ordinal));
        var initial = keys.Single(k => k.Name == "Initial key");
        await (await managerClient.DeleteAsync($"/v1/license-keys/{initial.Id}")).ProblemAsync(HttpStatusCode.NotFound, "license_key_not_found");
    }

    [Fact]
    public async Task An_expired_key_is_refused_like_a_revoked_one_and_cannot_make_a_longer_lived_key()
    {
        var account = await app.NewAccountAsync();
        var expiresAt = app.Time.GetUtcNow().AddHours(1);
        var temporary = await CreateKeyAsync(account.Client, new { name = "temporary", scopes = new[] { "keys:manage", "tokens:read" }, expiresAt });
        var client = app.ClientWith(temporary.Key);
        Assert.Equal(expiresAt, temporary.ExpiresAt);

        var child = await CreateKeyAsync(client, new { name = "child", scopes = new[] { "tokens:read" } });
        Assert.Equal(expiresAt, child.ExpiresAt); // inherited: it cannot outlive its maker
        await (await client.PostJsonAsync("/v1/license-keys", new { name = "longer", scopes = new[] { "tokens:read" }, expiresAt = expiresAt.AddDays(1) }))
            .ProblemAsync(HttpStatusCode.Forbidden, "insufficient_scope");
        await (await client.PostJsonAsync("/v1/license-keys", new { name = "past", expiresAt = app.Time.GetUtcNow().AddMinutes(-1) }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await client.GetAsync("/v1/tokens").EnsureAsync(HttpStatusCode.OK);

        app.Time.Advance(TimeSpan.FromHours(1));

        await (await client.GetAsync("/v1/tokens")).ProblemAsync(HttpStatusCode.Unauthorized, "license_key_invalid");
        var listed = (await (await account.Client.GetAsync("/v1/license-keys")).ReadAsync<ItemsResponse<LicenseKeyResponse>>()).Items;
        Assert.Equal("expired", listed.Single(k => k.Id == temporary.Id).Status);
        var refused = Assert.Single((await account.AuditAsync($"?objectId={temporary.Id}&action={AuditActions.LicenseKeyRefused}")).Items);
        Assert.Equal("expired", refused.After?.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task The_last_key_that_manages_every_key_cannot_be_revoked_while_narrower_keys_remain()
    {
        var account = await app.NewAccountAsync();
        var reader = await CreateKeyAsync(account.Client, new { name = "reader", scopes = new[] { "tokens:read" } });
        var bound = await CreateKeyAsync(account.Client, new { name = "bound manager", scopes = new[] { "keys:manage" },
            workloadIds = new[] { (await account.CreateWorkloadAsync("a")).Id } });
        var initial = (await (await account.Client.GetAsync("/v1/license-keys")).ReadAsync<ItemsResponse<LicenseKeyResponse>>()).Items
            .Single(k => k.Name == "Initial key");

        await (await account.Client.DeleteAsync($"/v1/license-keys/{initial.Id}")).ProblemAsync(HttpStatusCode.Conflict, "last_license_key");

        var manager = await CreateKeyAsync(account.Client, new { name = "manager", scopes = new[] { "keys:manage" } });
        await account.Client.DeleteAsync($"/v1/license-keys/{initial.Id}").EnsureAsync(HttpStatusCode.NoContent);
        var managerClient = app.ClientWith(manager.Key);
        await (await managerClient.DeleteAsync($"/v1/license-keys/{manager.Id}")).ProblemAsync(HttpStatusCode.Conflict, "last_license_key");
        await app.ClientWith(reader.Key).GetAsync("/v1/tokens").EnsureAsync(HttpStatusCode.OK);
        await app.ClientWith(bound.Key).GetAsync("/v1/license-keys").EnsureAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Malformed_grants_are_field_errors_that_never_echo_the_value_and_create_nothing()
    {
        var account = await app.NewAccountAsync();
        var secretLike = "tsl_" + new string('A', 49);

        var problem = await (await account.Client.PostJsonAsync("/v1/license-keys", new { name = "x", scopes = new[] { secretLike } }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.DoesNotContain(secretLike, problem.Errors!["scopes"][0], StringComparison.Ordinal);
        await (await account.Client.PostJsonAsync("/v1/license-keys", new { name = "x", scopes = Array.Empty<string>() })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await account.Client.PostJsonAsync("/v1/license-keys", new { name = "x", scopes = "tokens:read" })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await account.Client.PostJsonAsync("/v1/license-keys", new { name = "x", workloadIds = new[] { "nope" } })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await account.Client.PostJsonAsync("/v1/license-keys", new { name = "x", workloadIds = new[] { "wl_0192f0c0a0b07c3e8e4e1a2b3c4d5e6f" } }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await account.Client.PostJsonAsync("/v1/license-keys", new { name = "x", expiresAt = "tomorrow" })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        Assert.Single((await (await account.Client.GetAsync("/v1/license-keys")).ReadAsync<ItemsResponse<LicenseKeyResponse>>()).Items);
    }
}
