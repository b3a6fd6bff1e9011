namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// Class fixtures whose server takes each request's client address from <see cref="ClientAddressHeader"/>: for tests of
/// the per-address failure limits, and for tests that make many refusals and must not exhaust one shared address's budget.
/// </summary>
public static class AddressedApps
{
    public sealed class Sqlite : IAsyncDisposable
    {
        public TesseraApp App { get; } = new() { Replace = ClientAddressHeader.Register };

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    public sealed class Postgres : IAsyncLifetime
    {
        public PostgresTesseraApp App { get; } = new() { Replace = ClientAddressHeader.Register };

        public ValueTask InitializeAsync() => App.InitializeAsync();

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }
}
