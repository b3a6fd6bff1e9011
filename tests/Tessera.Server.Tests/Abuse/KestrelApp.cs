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
        App = new TesseraApp { Settings = new Dictionary<string, string>(settings) };
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
