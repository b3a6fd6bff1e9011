namespace Tessera.Testing;

/// <summary>An assembly fixture: drops the test databases and the template once every test has run.</summary>
public sealed class TestPostgresCleanup : IAsyncDisposable
{
    public async ValueTask DisposeAsync() => await TestPostgres.DropEverythingAsync();
}
