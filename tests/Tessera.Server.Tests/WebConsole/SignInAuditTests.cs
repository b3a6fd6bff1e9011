using System.Net;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Core.Audit;
using Tessera.Core.Secrets;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Storage.Sql;

namespace Tessera.Server.Tests.WebConsole;

/// <summary>
/// Issue 13 §5: refused console sign-ins are audited at most once per client address per window of the
/// license-key failure limit, and never while the address is limited (429): a key-guessing loop costs one
/// row per window, not one database write per attempt. On SQLite and on PostgreSQL, default limits
/// (20 refusals a minute).
/// </summary>
public abstract class SignInAuditTests(TesseraApp app)
{
    public sealed class OnSqlite(AddressedApps.Sqlite fixture) : SignInAuditTests(fixture.App), IClassFixture<AddressedApps.Sqlite>;

    public sealed class OnPostgres(AddressedApps.Postgres fixture) : SignInAuditTests(fixture.App.Require()), IClassFixture<AddressedApps.Postgres>;

    [Fact]
    public async Task Thirty_refused_sign_ins_from_one_address_write_one_audit_entry_and_none_while_limited()
    {
        const string address = "198.51.100.41";
        var browser = new ConsoleBrowser(app) { Headers = { [ClientAddressHeader.Name] = address } };

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 30; i++)
        {
            statuses.Add((await browser.TrySignInAsync(SecretFormat.Generate(SecretKind.LicenseKey))).StatusCode);
            if (i == 19)
            {
                Assert.Equal(1, await FailedSignInsFromAsync(app, address)); // the first of the window, before any 429
            }
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 20), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 10)], statuses);
        Assert.Equal(1, await FailedSignInsFromAsync(app, address));
        // Another address has a window (and an entry) of its own.
        var neighbour = new ConsoleBrowser(app) { Headers = { [ClientAddressHeader.Name] = "198.51.100.42" } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await neighbour.TrySignInAsync("tsl_not-a-key")).StatusCode);
        Assert.Equal(1, await FailedSignInsFromAsync(app, "198.51.100.42"));
        Assert.Equal(1, await FailedSignInsFromAsync(app, address));
    }

    /// <summary>The console.sign_in_failed entries recorded for <paramref name="address"/>, read from the server's own database.</summary>
    internal static async Task<long> FailedSignInsFromAsync(TesseraApp app, string address)
    {
        await using var connection = await app.Services.GetRequiredService<SqlDatabase>().OpenAsync(TestContext.Current.CancellationToken);
        return await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM audit_entries WHERE action = @action AND client_ip = @address",
            new { action = AuditActions.ConsoleSignInFailed, address });
    }
}
