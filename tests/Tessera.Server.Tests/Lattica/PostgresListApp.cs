using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Lattica;

/// <summary>A server on a PostgreSQL database of its own whose list reads go through a <see cref="ListGate"/>.</summary>
public sealed class PostgresListApp : IAsyncLifetime
{
    public PostgresListApp() => App = new PostgresTesseraApp { Replace = Gate.ReplaceIn };

    public ListGate Gate { get; } = new();

    public PostgresTesseraApp App { get; }

    public ValueTask InitializeAsync() => App.InitializeAsync();

    public ValueTask DisposeAsync() => App.DisposeAsync();
}
