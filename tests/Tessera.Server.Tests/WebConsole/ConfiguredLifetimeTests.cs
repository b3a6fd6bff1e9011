using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.WebConsole;

/// <summary>Tessera:Console:SessionLifetime is what ends a session, not a fixed 24 hours; shorter than the idle timeout, it wins.</summary>
public sealed class ConfiguredLifetimeTests(ConfiguredLifetimeTests.TwoHourApp fixture) : IClassFixture<ConfiguredLifetimeTests.TwoHourApp>
{
    public sealed class TwoHourApp : IAsyncDisposable
    {
        public TesseraApp App { get; } = new() { Settings = new() { ["Tessera:Console:SessionLifetime"] = "02:00:00" } };

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    [Fact]
    public async Task A_session_ends_at_the_configured_lifetime()
    {
        var app = fixture.App;
        var account = await app.NewAccountAsync();
        var browser = new ConsoleBrowser(app);
        await browser.SignInAsync(account.LicenseKey);

        app.Time.Advance(TimeSpan.FromHours(2) - TimeSpan.FromSeconds(1));
        Assert.Equal("/tokens", await browser.LandsOnAsync("/tokens"));
        app.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.StartsWith("/sign-in", await browser.LandsOnAsync("/tokens"), StringComparison.Ordinal);
    }
}
