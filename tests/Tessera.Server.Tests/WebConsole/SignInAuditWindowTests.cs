using System.Net;
using Tessera.Core.Secrets;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.WebConsole;

/// <summary>
/// Refused sign-ins are audited once per window, not once ever: when the window of the license-key failure
/// limit (here 3 refusals per 3 seconds) has passed, the next refusal from the address is written again. The window is
/// 3 seconds, not 1: the first four sign-ins must land in one window, and on a loaded machine (CI beside a bulk load,
/// 2026-12-04) four took longer than a second, so the fourth opened a new window and was refused with 401, not 429.
/// </summary>
public sealed class SignInAuditWindowTests(SignInAuditWindowTests.ShortWindowApp fixture) : IClassFixture<SignInAuditWindowTests.ShortWindowApp>
{
    public sealed class ShortWindowApp : IAsyncDisposable
    {
        public TesseraApp App { get; } = new()
        {
            Replace = ClientAddressHeader.Register,
            Settings = new()
            {
                ["Tessera:Abuse:LicenseFailures:PermitLimit"] = "3",
                ["Tessera:Abuse:LicenseFailures:Window"] = "00:00:03",
            },
        };

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    [Fact]
    public async Task After_the_window_the_next_refused_sign_in_is_audited_again_and_a_limited_one_never_is()
    {
        const string address = "198.51.100.43";
        var app = fixture.App;
        var browser = new ConsoleBrowser(app) { Headers = { [ClientAddressHeader.Name] = address } };
        var wrongKey = SecretFormat.Generate(SecretKind.LicenseKey);
        var started = TimeProvider.System.GetTimestamp();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await browser.TrySignInAsync(wrongKey)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.TooManyRequests, (await browser.TrySignInAsync(wrongKey)).StatusCode);
        Assert.Equal(1, await SignInAuditTests.FailedSignInsFromAsync(app, address));

        // Keep trying, as a guessing loop does, until a second entry appears: only once the window has passed,
        // and never by a refusal answered 429. (The audit window starts a moment after the limit's, so the
        // first refusal of the new window may go unrecorded; one a moment later is recorded.)
        long entries = 1;
        for (var attempt = 0; attempt < 100 && entries < 2; attempt++)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
            var status = (await browser.TrySignInAsync(wrongKey)).StatusCode;
            var now = await SignInAuditTests.FailedSignInsFromAsync(app, address);
            if (status == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal(entries, now);
            }
            entries = now;
        }

        Assert.Equal(2, entries);
        Assert.True(TimeProvider.System.GetElapsedTime(started) >= TimeSpan.FromSeconds(3), "a second entry within the window");
    }
}
