using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Abuse;

/// <summary>
/// A <see cref="TesseraApp"/> on real Kestrel sockets, so requests arrive from a real client address
/// (127.0.0.1) and X-Forwarded-For is judged as in production.
/// </summary>
public abstract class KestrelApp : IAsyncLifetime
{
    protected KestrelApp(IReadOnlyDictionary<string, string> settings)
    {
        App = new TesseraApp { Settings = settings };
    }

    public TesseraApp App { get; }

    public ValueTask InitializeAsync()
    {
        App.UseKestrel(0);
        App.StartServer();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}

/// <summary>Loopback is a trusted proxy: X-Forwarded-For names the client. Small budgets.</summary>
public sealed class TrustedProxyApp() : KestrelApp(new Dictionary<string, string>
{
    ["Tessera:Http:TrustedProxies:0"] = "127.0.0.1",
    ["Tessera:Http:TrustedProxies:1"] = "::1",
    ["Tessera:Abuse:QueryFailures:PermitLimit"] = "5",
    ["Tessera:Abuse:QueryFailures:Window"] = "01:00:00",
    ["Tessera:Abuse:LicenseFailures:PermitLimit"] = "3",
    ["Tessera:Abuse:LicenseFailures:Window"] = "00:00:05",
});

/// <summary>No trusted proxy: X-Forwarded-For is ignored, whatever it says.</summary>
public sealed class UntrustedProxyApp() : KestrelApp(new Dictionary<string, string>
{
    ["Tessera:Abuse:QueryFailures:PermitLimit"] = "4",
    ["Tessera:Abuse:QueryFailures:Window"] = "01:00:00",
});
