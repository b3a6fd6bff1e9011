using Microsoft.AspNetCore.Hosting;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.WebConsole;

/// <summary>
/// Issue 13 §5: signing out through one server ends the session on every server sharing the database: a copy
/// of the cookie that the other server accepted a moment before is refused there within a second. Two
/// in-process servers on one SQLite file, and on one PostgreSQL database with a shared keys folder.
/// </summary>
public abstract class ConsoleCrossServerTests(TesseraApp a, TesseraApp b)
{
    public sealed class OnSqlite(SqliteServers servers) : ConsoleCrossServerTests(servers.A, servers.B), IClassFixture<SqliteServers>;

    public sealed class OnPostgres(PostgresServers servers) : ConsoleCrossServerTests(servers.Require().A, servers.B), IClassFixture<PostgresServers>;

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(1);

    /// <summary>Two servers on one SQLite file; the Data Protection keys sit beside it, so both read the same keys.</summary>
    public sealed class SqliteServers : IAsyncDisposable
    {
        public SqliteServers() => B = new TesseraApp { DatabasePath = A.DatabasePath };

        public TesseraApp A { get; } = new();

        public TesseraApp B { get; }

        public async ValueTask DisposeAsync()
        {
            await B.DisposeAsync();
            await A.DisposeAsync();
        }
    }

    /// <summary>Two servers on one PostgreSQL database, with Tessera:Console:KeysDirectory set to one folder, as docs/deploy.md says.</summary>
    public sealed class PostgresServers : IAsyncLifetime
    {
        private readonly string _keys = Directory.CreateTempSubdirectory("tessera-shared-keys-").FullName;

        public PostgresServers()
        {
            var settings = new Dictionary<string, string> { ["Tessera:Console:KeysDirectory"] = _keys };
            A = new PostgresTesseraApp { Settings = settings };
            B = new Peer(A) { Settings = settings };
        }

        public PostgresTesseraApp A { get; }

        public TesseraApp B { get; }

        public PostgresServers Require()
        {
            A.Require();
            return this;
        }

        public ValueTask InitializeAsync() => A.InitializeAsync();

        public async ValueTask DisposeAsync()
        {
            await B.DisposeAsync();
            await A.DisposeAsync();
            Directory.Delete(_keys, recursive: true);
        }

        /// <summary>A second server on the first one's PostgreSQL database.</summary>
        private sealed class Peer(PostgresTesseraApp first) : TesseraApp
        {
            protected override void ConfigureDatabase(IWebHostBuilder builder)
            {
                builder.UseSetting("Tessera:Database:Provider", "postgres");
                builder.UseSetting("Tessera:Database:ConnectionString", first.ConnectionString);
            }
        }
    }

    [Fact]
    public async Task Signing_out_through_one_server_ends_the_session_on_the_other_within_a_second()
    {
        var account = await a.NewAccountAsync();
        var onA = new ConsoleBrowser(a);
        await onA.SignInAsync(account.LicenseKey);
        var saved = onA.Cookies[ConsoleBrowser.SessionCookie];
        // The other server opens the console with the same cookie: whatever it may remember, it has this session as valid.
        var onB = new ConsoleBrowser(b);
        for (var i = 0; i < 3; i++)
        {
            onB.Cookies[ConsoleBrowser.SessionCookie] = saved;
            Assert.Equal("/tokens", await onB.LandsOnAsync("/tokens"));
        }

        await onA.SignOutAsync();

        var (landed, elapsed) = await Poll.UntilAsync(async () =>
        {
            onB.Cookies[ConsoleBrowser.SessionCookie] = saved;
            return await onB.LandsOnAsync("/tokens");
        }, l => l.StartsWith("/sign-in", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        Assert.StartsWith("/sign-in", landed, StringComparison.Ordinal);
        Assert.InRange(elapsed, TimeSpan.Zero, Bound);
        TestContext.Current.TestOutputHelper?.WriteLine($"refused on the other server after {elapsed.TotalMilliseconds:F0} ms");
    }
}
