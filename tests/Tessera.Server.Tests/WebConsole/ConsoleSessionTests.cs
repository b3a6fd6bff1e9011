using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tessera.Core.Accounts;
using Tessera.Server.Auth;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Server.WebConsole;

namespace Tessera.Server.Tests.WebConsole;

/// <summary>
/// Issue 13 §5: a console session ends at sign-out for every copy of its cookie, and at its absolute lifetime
/// (Tessera:Console:SessionLifetime, 24 h by default) however active it is. In-process servers with a
/// controllable clock, on SQLite and on PostgreSQL.
/// </summary>
public abstract class ConsoleSessionTests(TesseraApp app)
{
    public sealed class OnSqlite(TesseraApp app) : ConsoleSessionTests(app), IClassFixture<TesseraApp>;

    public sealed class OnPostgres(PostgresTesseraApp app) : ConsoleSessionTests(app.Require()), IClassFixture<PostgresTesseraApp>;

    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    [Fact]
    public async Task A_cookie_saved_before_sign_out_no_longer_opens_the_console_and_other_sessions_stay_open()
    {
        var account = await app.NewAccountAsync();
        var browser = new ConsoleBrowser(app);
        await browser.SignInAsync(account.LicenseKey);
        var otherTab = new ConsoleBrowser(app);
        await otherTab.SignInAsync(account.LicenseKey);
        var saved = browser.Cookies[ConsoleBrowser.SessionCookie];
        Assert.Equal("/tokens", await browser.LandsOnAsync("/tokens"));

        var signedOut = await browser.SignOutAsync();

        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Equal("/sign-in", signedOut.Headers.Location?.OriginalString);
        Assert.False(browser.Cookies.ContainsKey(ConsoleBrowser.SessionCookie));
        // The copy saved before sign-out is refused, and refused again (the refusal deletes it from the browser that sent it).
        var replay = new ConsoleBrowser(app);
        for (var i = 0; i < 2; i++)
        {
            replay.Cookies[ConsoleBrowser.SessionCookie] = saved;
            Assert.StartsWith("/sign-in", await replay.LandsOnAsync("/tokens"), StringComparison.Ordinal);
            Assert.False(replay.Cookies.ContainsKey(ConsoleBrowser.SessionCookie));
        }
        // Another session of the same account was not signed out.
        Assert.Equal("/tokens", await otherTab.LandsOnAsync("/tokens"));
    }

    [Fact]
    public async Task A_session_ends_at_its_absolute_lifetime_however_active_it_has_been()
    {
        var account = await app.NewAccountAsync();
        var browser = new ConsoleBrowser(app);
        await browser.SignInAsync(account.LicenseKey);

        // Busy all day: a request every 5 hours keeps the 8-hour idle timeout sliding.
        for (var hours = 5; hours <= 20; hours += 5)
        {
            app.Time.Advance(TimeSpan.FromHours(5));
            Assert.Equal("/tokens", await browser.LandsOnAsync("/tokens"));
        }
        app.Time.Advance(TimeSpan.FromHours(4) - TimeSpan.FromSeconds(1));
        Assert.Equal("/tokens", await browser.LandsOnAsync("/tokens")); // one second before the end

        app.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.StartsWith("/sign-in", await browser.LandsOnAsync("/tokens"), StringComparison.Ordinal);
        Assert.False(browser.Cookies.ContainsKey(ConsoleBrowser.SessionCookie));
        // Signing in again starts a new session.
        await browser.SignInAsync(account.LicenseKey);
        Assert.Equal("/tokens", await browser.LandsOnAsync("/tokens"));
    }

    [Fact]
    public async Task A_cookie_sealed_without_a_session_end_is_refused()
    {
        var account = await app.NewAccountAsync();
        var keyId = (await app.Services.GetRequiredService<AccountService>().ListLicenseKeysAsync(new Caller(account.Id, ""), CancellationToken.None))[0].Id;
        var now = app.Time.GetUtcNow();
        var sessionId = $"ses_{Guid.NewGuid():N}";

        // Sealed with the server's own keys, as the console seals them now: accepted (so the forging is sound)...
        var current = new ConsoleBrowser(app);
        current.Cookies[ConsoleBrowser.SessionCookie] = Seal(
            ConsoleSession.PrincipalFor(new Caller(account.Id, keyId), "Test provider", sessionId, now, now + Lifetime), now);
        Assert.Equal("/tokens", await current.LandsOnAsync("/tokens"));

        // ...and as the console sealed them before sessions had an end: refused, since it could never expire while busy.
        var legacy = new ConsoleBrowser(app);
        legacy.Cookies[ConsoleBrowser.SessionCookie] = Seal(new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim(LicenseKeyAuthentication.AccountClaim, account.Id),
            new Claim(LicenseKeyAuthentication.LicenseKeyClaim, keyId),
            new Claim(ConsoleSession.SessionIdClaim, sessionId),
            new Claim(ClaimTypes.Name, "Test provider"),
        ], ConsoleSession.Scheme)), now);
        Assert.StartsWith("/sign-in", await legacy.LandsOnAsync("/tokens"), StringComparison.Ordinal);
    }

    private string Seal(ClaimsPrincipal principal, DateTimeOffset now)
    {
        var options = app.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(ConsoleSession.Scheme);
        return options.TicketDataFormat.Protect(new AuthenticationTicket(principal,
            new AuthenticationProperties { IssuedUtc = now, ExpiresUtc = now + TimeSpan.FromHours(8) }, ConsoleSession.Scheme));
    }
}
