using System.Net;
using Tessera.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Client.Tests;

/// <summary>Issue 15 in the SDK: scoped keys created and refused, and the audit trail listed with filters, against a real Tessera.</summary>
public sealed class ScopedKeySdkTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    private TesseraManagementClient ClientFor(string key) => new(app.CreateClient(), new TesseraClientOptions { LicenseKey = key });

    [Fact]
    public async Task A_scoped_key_is_created_and_its_limits_come_back_as_api_exceptions()
    {
        var account = await app.NewAccountAsync();
        using var owner = ClientFor(account.LicenseKey);
        var workload = await owner.CreateWorkloadAsync("team-a");

        var created = await owner.CreateLicenseKeyAsync(new CreateLicenseKeyRequest("team a", ["tokens:write"], [workload.Id]));
        Assert.Equal(["tokens:write"], created.Scopes);
        Assert.Equal([workload.Id], created.WorkloadIds!);

        using var scoped = ClientFor(created.Key);
        var token = await scoped.CreateTokenAsync("alice", workload.Id);
        Assert.Equal(workload.Id, token.WorkloadId);
        var noScope = await Assert.ThrowsAsync<TesseraApiException>(() => scoped.CreateWorkloadAsync("team-b"));
        Assert.Equal((HttpStatusCode.Forbidden, "insufficient_scope"), (noScope.StatusCode, noScope.Code));
        var outside = await Assert.ThrowsAsync<TesseraApiException>(() => scoped.CreateTokenAsync("bob"));
        Assert.Equal((HttpStatusCode.Forbidden, "workload_not_allowed"), (outside.StatusCode, outside.Code));
    }

    [Fact]
    public async Task The_audit_trail_is_listed_over_pages_with_filters()
    {
        var account = await app.NewAccountAsync();
        using var client = ClientFor(account.LicenseKey);
        var workload = await client.CreateWorkloadAsync("w");
        var tokens = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            tokens.Add((await client.CreateTokenAsync($"t{i}", workload.Id)).Id);
        }
        await client.CancelTokenAsync(tokens[2]);

        var created = await client.ListAuditAsync(new AuditFilter { Action = "token.created", PageSize = 2 }).ToListAsync();
        // Five entries over three pages (made at one instant of the test clock, so compared as a set).
        Assert.Equal(tokens.Order(StringComparer.Ordinal), created.Select(e => e.ObjectId!).Order(StringComparer.Ordinal));
        var aboutOne = await client.ListAuditAsync(new AuditFilter { ObjectId = tokens[2] }).ToListAsync();
        Assert.Equal(["token.cancelled", "token.created"], aboutOne.Select(e => e.Action).Order(StringComparer.Ordinal));
        Assert.Empty(await client.ListAuditAsync(new AuditFilter { From = app.Time.GetUtcNow().AddMinutes(1) }).ToListAsync());
        var bad = await Assert.ThrowsAsync<TesseraApiException>(() => client.ListAuditPageAsync(new AuditFilter { Action = "nope" }, null));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }
}
