using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Lattica;

/// <summary>A server on SQLite whose list reads go through a <see cref="ListGate"/>.</summary>
public sealed class SqliteListApp : IAsyncDisposable
{
    public SqliteListApp() => App = new TesseraApp { Replace = Gate.ReplaceIn };

    public ListGate Gate { get; } = new();

    public TesseraApp App { get; }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}
