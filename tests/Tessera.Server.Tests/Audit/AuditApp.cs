using Microsoft.Data.Sqlite;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Audit;

/// <summary>
/// A <see cref="TesseraApp"/> whose requests come from a client address, as over a real socket (the
/// in-memory test server has none): 203.0.113.7, or the address in the test-only header
/// <see cref="RemoteIpHeader"/>. Also opens the database directly, to scan or sabotage the audit table.
/// </summary>
public sealed class AuditApp : IAsyncDisposable
{
    public const string DefaultIp = ClientAddressHeader.DefaultIp;
    public const string RemoteIpHeader = ClientAddressHeader.Name;

    public AuditApp()
        : this([])
    {
    }

    internal AuditApp(Dictionary<string, string> settings)
    {
        App = new TesseraApp { Settings = settings, Replace = ClientAddressHeader.Register };
    }

    public TesseraApp App { get; }

    /// <summary>A connection of its own to the server's database file.</summary>
    public async Task<SqliteConnection> OpenDatabaseAsync()
    {
        var connection = new SqliteConnection($"Data Source={App.DatabasePath};Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        return connection;
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}
