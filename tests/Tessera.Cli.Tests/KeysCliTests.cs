using System.Text.Json;
using Tessera.Contracts;

namespace Tessera.Cli.Tests;

/// <summary>Issue 15: <c>tessera keys create|list|revoke</c> and <c>tessera audit list</c>, in-process, against a real server process.</summary>
public sealed class KeysCliTests(ProcessServer server) : IClassFixture<ProcessServer>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static Task<(int Exit, string Out, string Error)> RunAsync(Uri url, string key, params string[] args) =>
        CliRun.AgainstAsync(url, key, args);

    private Task<(int Exit, string Out, string Error)> RunAsync(params string[] args) => RunAsync(server.Url, server.LicenseKey, args);

    [Fact]
    public async Task Keys_are_created_with_scopes_workloads_and_an_end_listed_used_within_their_scope_and_revoked()
    {
        var workload = $"team-{Guid.NewGuid():N}"[..13];
        Assert.Equal(0, (await RunAsync("workloads", "create", workload)).Exit);
        var expires = DateTimeOffset.UtcNow.AddDays(7);

        var created = await RunAsync("keys", "create", "billing reader", "--scope", "tokens:read", "--scope", "workloads:read",
            "--workload", workload, "--expires", expires.ToString("O"), "--json");

        Assert.True(created.Exit == 0, created.Error);
        var key = JsonSerializer.Deserialize<CreatedLicenseKeyResponse>(created.Out, Json)!;
        Assert.Equal(["tokens:read", "workloads:read"], key.Scopes);
        Assert.StartsWith("wl_", Assert.Single(key.WorkloadIds!), StringComparison.Ordinal);
        Assert.Equal(expires.ToUnixTimeMilliseconds(), key.ExpiresAt!.Value.ToUnixTimeMilliseconds());

        // Within its scopes it works; beyond them the server refuses (exit 3) and says which scope was missing.
        Assert.Equal(0, (await RunAsync(server.Url, key.Key, "tokens", "list")).Exit);
        var refused = await RunAsync(server.Url, key.Key, "tokens", "create", "alice", "--workload", key.WorkloadIds![0]);
        Assert.Equal(ExitCodes.Refused, refused.Exit);
        Assert.Contains("tokens:write", refused.Error, StringComparison.Ordinal);
        var wider = await RunAsync(server.Url, key.Key, "keys", "create", "root", "--scope", "*");
        Assert.Equal(ExitCodes.Refused, wider.Exit);

        var list = await RunAsync("keys", "list");
        Assert.True(list.Exit == 0, list.Error);
        var row = list.Out.Split('\n').Single(l => l.StartsWith(key.Id, StringComparison.Ordinal));
        Assert.Contains("tokens:read workloads:read", row, StringComparison.Ordinal);
        Assert.DoesNotContain(key.Key, list.Out, StringComparison.Ordinal);

        Assert.Equal(0, (await RunAsync("keys", "revoke", key.Id, "--yes")).Exit);
        Assert.Equal(ExitCodes.Refused, (await RunAsync(server.Url, key.Key, "tokens", "list")).Exit);
        Assert.Equal(ExitCodes.NotFound, (await RunAsync("keys", "revoke", "lic_0192f0c0a0b07c3e8e4e1a2b3c4d5e6f", "--yes")).Exit);
    }

    [Fact]
    public async Task Audit_list_filters_by_action_and_object_and_shows_before_and_after()
    {
        var created = JsonSerializer.Deserialize<CreatedLicenseKeyResponse>(
            (await RunAsync("keys", "create", "audited", "--scope", "audit:read", "--json")).Out, Json)!;
        Assert.Equal(0, (await RunAsync("keys", "revoke", created.Id, "--yes")).Exit);

        var byObject = await RunAsync("audit", "list", "--object", created.Id, "--json");
        Assert.True(byObject.Exit == 0, byObject.Error);
        var entries = JsonSerializer.Deserialize<List<AuditEntryResponse>>(byObject.Out, Json)!;
        Assert.Equal(["license_key.revoked", "license_key.created"], entries.Select(e => e.Action));
        var revokedOnly = JsonSerializer.Deserialize<List<AuditEntryResponse>>(
            (await RunAsync("audit", "list", "--object", created.Id, "--action", "license_key.revoked", "--json")).Out, Json)!;
        Assert.Equal(entries[0].Id, Assert.Single(revokedOnly).Id);

        var table = await RunAsync("audit", "list", "--object", created.Id);
        Assert.Contains("{\"status\":\"active\"}", table.Out, StringComparison.Ordinal);
        Assert.Contains("{\"status\":\"revoked\"}", table.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, (await RunAsync("audit", "list", "--action", "nonsense")).Exit);
        Assert.Equal(ExitCodes.Usage, (await RunAsync("audit", "list", "--from", "yesterday")).Exit);
    }
}
