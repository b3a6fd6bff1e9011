using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Tessera.Core.Accounts;
using Tessera.Core.Secrets;
using Tessera.Core.Verification;
using Tessera.Server.Background;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// One real Tessera server per test class (WebApplicationFactory over Program) on its own SQLite file,
/// with a controllable clock and every log line captured. Tests isolate themselves by opening their
/// own account (<see cref="NewAccountAsync"/>), so they never depend on each other's data.
/// <see cref="PostgresTesseraApp"/> is the same server on a PostgreSQL database of its own.
/// </summary>
public class TesseraApp : WebApplicationFactory<Program>
{
    public static readonly DateTimeOffset Start = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private readonly string _directory = Directory.CreateTempSubdirectory("tessera-test-").FullName;

    public TesseraApp()
    {
        BootstrapKey = SecretFormat.Generate(SecretKind.LicenseKey);
    }

    /// <summary>The server's clock: wall time moved by the test, timestamps also by real time (<see cref="TestClock"/>).</summary>
    public FakeTimeProvider Time { get; } = new TestClock(Start);

    public CapturedLogs Logs { get; } = new();

    /// <summary>The SQLite file; another app's <see cref="DatabasePath"/> makes two servers on one database.</summary>
    public string DatabasePath { get => field ?? Path.Combine(_directory, "tessera.db"); init; }

    /// <summary>More configuration for this server (e.g. Tessera:Verification or the failure limits a test class needs).</summary>
    public Dictionary<string, string> Settings { get; init; } = [];

    /// <summary>Test-only service replacements (e.g. a store that can be slowed or failed), applied last.</summary>
    public Action<IServiceCollection>? Replace { get; init; }

    /// <summary>The first account's license key, given through Tessera:Bootstrap:LicenseKey.</summary>
    public string BootstrapKey { get; }

    /// <summary>Token lifetime for this server; the default (30 days) unless a test class sets it.</summary>
    public TimeSpan? Lifetime { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        ConfigureDatabase(builder);
        builder.UseSetting("Tessera:Bootstrap:LicenseKey", BootstrapKey);
        if (Lifetime is { } lifetime)
        {
            builder.UseSetting("Tessera:Tokens:Lifetime", lifetime.ToString());
        }
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Trace);
            logging.AddProvider(Logs);
        });
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Time);
            Replace?.Invoke(services);
        });
    }

    /// <summary>Points the server at its database: this class's SQLite file.</summary>
    protected virtual void ConfigureDatabase(IWebHostBuilder builder) =>
        builder.UseSetting("Tessera:Database:ConnectionString", $"Data Source={DatabasePath}");

    /// <summary>Writes the uses counted in memory now, as the background flush does every second.</summary>
    public async Task FlushUsageAsync() =>
        Assert.True(await Services.GetRequiredService<UsageFlusher>().FlushAsync(TestContext.Current.CancellationToken));

    /// <summary>
    /// Waits for a read of the token change feed that began after this call, so every change made so far
    /// has been applied (and memory is trusted). Until then a test of memory could see a token it just
    /// remembered forgotten again by the feed entry of the change that created it.
    /// </summary>
    public async Task WaitForChangeFeedAsync()
    {
        var known = Services.GetRequiredService<KnownTokens>();
        var after = Time.GetTimestamp();
        var (synced, _) = await Poll.UntilAsync(() => Task.FromResult(known.SyncedAt), at => at > after);
        Assert.True(synced > after, "the change feed was not read");
    }

    /// <summary>A fresh account and a client that authenticates as it.</summary>
    public async Task<TestAccount> NewAccountAsync(string name = "Test provider")
    {
        var (account, key) = await Services.GetRequiredService<AccountService>().CreateAccountAsync(name, CancellationToken.None);
        return new TestAccount(account.Id, key, ClientWith(key));
    }

    /// <summary>A client sending <paramref name="bearer"/> as a bearer credential, or nothing when null.</summary>
    public HttpClient ClientWith(string? bearer)
    {
        // ClientOptions.BaseAddress is the real address when a test class serves on Kestrel (UseKestrel).
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = ClientOptions.BaseAddress });
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        return client;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory left behind is harmless.
        }
    }
}
