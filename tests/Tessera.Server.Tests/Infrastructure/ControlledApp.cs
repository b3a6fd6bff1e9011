namespace Tessera.Server.Tests.Infrastructure;

/// <summary>A test server whose token store and change feed are a <see cref="ControlledStore"/>, with the given settings.</summary>
public abstract class ControlledApp : IAsyncDisposable
{
    protected ControlledApp(Dictionary<string, string> settings) =>
        App = new TesseraApp { Settings = settings, Replace = Store.ReplaceIn };

    public ControlledStore Store { get; } = new();

    public TesseraApp App { get; }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}
