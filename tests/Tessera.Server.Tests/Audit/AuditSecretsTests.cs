using System.Net;
using System.Text;
using Microsoft.Data.Sqlite;
using Tessera.Contracts;
using Tessera.Core.Secrets;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Audit;

/// <summary>The audit table holds no secret and no hash of one, whatever was done: every row, every column, scanned.</summary>
public sealed class AuditSecretsTests(AuditApp server) : IClassFixture<AuditApp>
{
    [Fact]
    public async Task No_entry_carries_a_secret_or_a_hash()
    {
        var app = server.App;
        var account = await app.NewAccountAsync("audit-scan-account");
        var workload = await account.CreateWorkloadAsync("audit-scan-workload");
        var token = await account.CreateTokenAsync("audit-scan-token", workload.Id, "audit-scan-note");
        var unassigned = await account.CreateTokenAsync("audit-scan-loose");
        await account.PatchTokenAsync(token.Id, new { status = "cancelled", name = "audit-scan-renamed" });
        await account.PatchTokenAsync(token.Id, new { status = "active" });
        await account.Client.PostAsync($"/v1/tokens/{token.Id}/renew", null).EnsureAsync(HttpStatusCode.OK);
        var key = await (await account.Client.PostJsonAsync("/v1/license-keys", new { name = "audit-scan-key" })).ReadAsync<CreatedLicenseKeyResponse>(HttpStatusCode.Created);
        await app.ClientWith(key.Key).DeleteAsync($"/v1/tokens/{unassigned.Id}").EnsureAsync(HttpStatusCode.NoContent);
        await account.Client.DeleteAsync($"/v1/license-keys/{key.Id}").EnsureAsync(HttpStatusCode.NoContent);
        await (await app.ClientWith(key.Key).GetAsync("/v1/account")).ProblemAsync(HttpStatusCode.Unauthorized, "license_key_invalid");
        await account.Client.DeleteAsync($"/v1/workloads/{workload.Id}").EnsureAsync(HttpStatusCode.NoContent);
        await account.Client.DeleteAsync($"/v1/tokens/{token.Id}").EnsureAsync(HttpStatusCode.NoContent);

        var rows = new StringBuilder();
        var count = 0;
        await using (var db = await server.OpenDatabaseAsync())
        {
            await using var command = db.CreateCommand();
            command.CommandText = "SELECT * FROM audit_entries";
            await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                count++;
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    Assert.NotEqual(typeof(byte[]), reader.GetFieldType(i)); // no column holds raw bytes (a hash)
                    rows.Append(reader.IsDBNull(i) ? "" : reader.GetValue(i).ToString()).Append('\u001f');
                }
                rows.Append('\n');
            }
        }
        var table = rows.ToString();
        Assert.True(count >= 15, $"only {count} entries"); // the scan saw the whole history
        Assert.Contains("audit-scan-renamed", table, StringComparison.Ordinal);
        Assert.Contains(key.Hint, table, StringComparison.Ordinal);

        foreach (var secret in new[] { token.Token, unassigned.Token, key.Key, account.LicenseKey, app.BootstrapKey })
        {
            var hash = SecretHash.Of(secret).ToArray();
            foreach (var form in new[]
                     {
                         secret, secret[4..], secret[4..^6], Convert.ToHexString(hash), Convert.ToHexStringLower(hash), Convert.ToBase64String(hash),
                         Convert.ToBase64String(hash).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
                     })
            {
                Assert.DoesNotContain(form, table, StringComparison.Ordinal);
            }
        }
        SqliteConnection.ClearAllPools();
    }
}
