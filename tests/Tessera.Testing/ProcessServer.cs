using Microsoft.Data.Sqlite;
using Tessera.Client;
using Tessera.Core.Secrets;

namespace Tessera.Testing;

/// <summary>
/// One real server process per test class on a free loopback port, its first account's license key
/// given through Tessera:Bootstrap:LicenseKey. Tests share the account and keep apart by unique names.
/// </summary>
public class ProcessServer : IAsyncLifetime
{
    private readonly string _directory = System.IO.Directory.CreateTempSubdirectory("tessera-client-").FullName;
    private ServerProcess? _server;

    public string LicenseKey { get; } = SecretFormat.Generate(SecretKind.LicenseKey);

    public Uri Url => _server?.BaseAddress ?? throw new InvalidOperationException("Not started.");

    public string Directory => _directory;

    public virtual async ValueTask InitializeAsync()
    {
        var environment = new Dictionary<string, string>
        {
            ["Tessera__Database__ConnectionString"] = $"Data Source={Path.Combine(_directory, "t.db")}",
            ["Tessera__Bootstrap__LicenseKey"] = LicenseKey,
        };
        foreach (var (name, value) in Settings)
        {
            environment[name] = value;
        }
        _server = await ServerProcess.StartAsync(_directory, environment);
    }

    /// <summary>More environment variables for the server (a subclass's settings).</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>();

    public TesseraManagementClient Client() => new(Url, LicenseKey);

    public virtual async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory left behind is harmless.
        }
        GC.SuppressFinalize(this);
    }
}
