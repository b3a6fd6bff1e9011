using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Tessera.Core.Members;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Members;

/// <summary>
/// Issue 22, two-step sign-in over HTTP on each database, with the server's clock in the test's hands (FakeTimeProvider):
/// setup from the Profile page (a server-drawn SVG QR code, recovery codes shown once), a code accepted once and within one
/// step of drift, recovery codes single use.
/// </summary>
public abstract partial class MemberTwoStepTests(TesseraApp app)
{
    public sealed class OnSqlite(AddressedApps.Sqlite fixture) : MemberTwoStepTests(fixture.App), IClassFixture<AddressedApps.Sqlite>;

    public sealed class OnPostgres(AddressedApps.Postgres fixture) : MemberTwoStepTests(fixture.App.Require()), IClassFixture<AddressedApps.Postgres>;

    [Fact]
    public async Task Setup_shows_an_svg_qr_code_and_needs_the_app_s_code_and_then_sign_in_asks_for_a_fresh_code()
    {
        var (member, secret, recovery, _, _) = await MemberWithTwoStepAsync();
        Assert.Equal(MemberTotpService.RecoveryCodeCount, recovery.Count);

        // The password alone opens no session now: the answer is the code form.
        var browser = Browser();
        var (firstStep, pending) = await PasswordAsync(browser, member);
        Assert.Equal(HttpStatusCode.OK, firstStep.StatusCode);
        Assert.False(browser.Cookies.ContainsKey(ConsoleBrowser.SessionCookie));

        // The code that turned two-step on was used: it does not sign in.
        var replayed = await CodeAsync(browser, pending, MemberTotpService.CodeAt(secret, app.Time.GetUtcNow()));
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        Assert.Contains("This code was not accepted.", await replayed.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        app.Time.Advance(TimeSpan.FromSeconds(30));
        var stale = await CodeAsync(browser, pending, MemberTotpService.CodeAt(secret, app.Time.GetUtcNow() - TimeSpan.FromSeconds(90)));
        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        var fresh = MemberTotpService.CodeAt(secret, app.Time.GetUtcNow());
        var signedIn = await CodeAsync(browser, pending, fresh);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/profile", await browser.LandsOnAsync("/profile"));

        // The same code once more, through another sign-in: refused.
        var other = Browser();
        var (_, otherPending) = await PasswordAsync(other, member);
        Assert.Equal(HttpStatusCode.Unauthorized, (await CodeAsync(other, otherPending, fresh)).StatusCode);
    }

    [Fact]
    public async Task A_recovery_code_signs_in_once()
    {
        var (member, _, recovery, _, _) = await MemberWithTwoStepAsync();

        var browser = Browser();
        var (_, pending) = await PasswordAsync(browser, member);
        Assert.Equal(HttpStatusCode.Redirect, (await CodeAsync(browser, pending, recovery[3].ToUpperInvariant())).StatusCode);

        var again = Browser();
        var (_, againPending) = await PasswordAsync(again, member);
        Assert.Equal(HttpStatusCode.Unauthorized, (await CodeAsync(again, againPending, recovery[3])).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await CodeAsync(again, againPending, recovery[4])).StatusCode);
    }

    [Fact]
    public async Task A_second_step_token_that_was_altered_is_refused()
    {
        var (member, secret, _, _, _) = await MemberWithTwoStepAsync();
        var browser = Browser();
        var (_, pending) = await PasswordAsync(browser, member);
        app.Time.Advance(TimeSpan.FromSeconds(30));

        var altered = await CodeAsync(browser, pending[..^3] + (pending[^3] == 'A' ? "B" : "A") + pending[^2..], MemberTotpService.CodeAt(secret, app.Time.GetUtcNow()));

        Assert.Equal(HttpStatusCode.Unauthorized, altered.StatusCode);
        Assert.False(browser.Cookies.ContainsKey(ConsoleBrowser.SessionCookie));
    }

    [Fact]
    public async Task Two_step_turns_off_only_with_the_password_or_a_current_code_and_the_change_is_audited()
    {
        var (member, secret, _, browser, account) = await MemberWithTwoStepAsync();

        // A session left open is not enough: no proof, a wrong password, a used code are refused, and it stays on.
        foreach (var proof in new Dictionary<string, string>[]
                 {
                     [],
                     new() { ["password"] = "not the password at all" },
                     new() { ["code"] = MemberTotpService.CodeAt(secret, app.Time.GetUtcNow()) },
                 })
        {
            var refused = await browser.PostFormAsync("/profile", "/profile?handler=DisableTwoStep", proof);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        }
        Assert.Contains("On: signing in asks for a code", await (await browser.GetAsync("/profile")).Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var off = await browser.PostFormAsync("/profile", "/profile?handler=DisableTwoStep",
            new Dictionary<string, string> { ["password"] = Membership.Password });
        Assert.Equal(HttpStatusCode.Redirect, off.StatusCode);
        Assert.Equal("/profile?done=two-step-off", off.Headers.Location!.OriginalString);
        Assert.Contains("Off: your password alone signs you in.", await (await browser.GetAsync("/profile")).Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The password alone signs in now.
        var (signedIn, _) = await PasswordAsync(Browser(), member);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var trail = await (await account.Client.GetAsync($"/v1/audit?objectId={member.Id}&action=member.two_step_disabled")).Content.ReadAsStringAsync();
        Assert.Contains(member.Email, trail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_step_turns_off_with_a_fresh_code_from_the_app()
    {
        var (member, secret, _, browser, _) = await MemberWithTwoStepAsync();
        app.Time.Advance(TimeSpan.FromSeconds(30));

        var off = await browser.PostFormAsync("/profile", "/profile?handler=DisableTwoStep",
            new Dictionary<string, string> { ["code"] = MemberTotpService.CodeAt(secret, app.Time.GetUtcNow()) });

        Assert.Equal(HttpStatusCode.Redirect, off.StatusCode);
        var (signedIn, _) = await PasswordAsync(Browser(), member);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
    }

    [Fact]
    public async Task New_recovery_codes_are_shown_once_and_the_old_ones_stop_working()
    {
        var (member, secret, old, browser, account) = await MemberWithTwoStepAsync();

        var refused = await browser.PostFormAsync("/profile", "/profile?handler=RecoveryCodes",
            new Dictionary<string, string> { ["password"] = "not the password at all" });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Empty(RecoveryCode().Matches(await refused.Content.ReadAsStringAsync()));

        var regenerated = await browser.PostFormAsync("/profile", "/profile?handler=RecoveryCodes",
            new Dictionary<string, string> { ["password"] = Membership.Password });
        var page = await regenerated.Content.ReadAsStringAsync();
        Assert.True(regenerated.StatusCode == HttpStatusCode.OK, page);
        var fresh = RecoveryCode().Matches(page).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(MemberTotpService.RecoveryCodeCount, fresh.Count);
        Assert.Empty(fresh.Intersect(old));
        // Shown once: the profile does not show them again.
        Assert.Empty(RecoveryCode().Matches(await (await browser.GetAsync("/profile")).Content.ReadAsStringAsync()));

        var signIn = Browser();
        var (_, pending) = await PasswordAsync(signIn, member);
        Assert.Equal(HttpStatusCode.Unauthorized, (await CodeAsync(signIn, pending, old[0])).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await CodeAsync(signIn, pending, fresh[0])).StatusCode);
        // The app's codes still work (the secret stayed).
        app.Time.Advance(TimeSpan.FromSeconds(30));
        var other = Browser();
        var (_, otherPending) = await PasswordAsync(other, member);
        Assert.Equal(HttpStatusCode.Redirect, (await CodeAsync(other, otherPending, MemberTotpService.CodeAt(secret, app.Time.GetUtcNow()))).StatusCode);

        var trail = await (await account.Client.GetAsync($"/v1/audit?objectId={member.Id}&action=member.recovery_codes_regenerated")).Content.ReadAsStringAsync();
        Assert.Contains(member.Email, trail, StringComparison.Ordinal);
    }

    private async Task<(Contracts.MemberResponse Member, string Secret, List<string> Recovery, ConsoleBrowser Browser, TestAccount Account)> MemberWithTwoStepAsync()
    {
        var account = await app.NewAccountAsync();
        var member = await app.AddMemberAsync(account, "developer");
        var browser = Browser();
        var (signedIn, _) = await PasswordAsync(browser, member);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);

        // Razor encodes attribute values (the '+' of image/svg+xml among them): read the page as a browser would.
        var setup = WebUtility.HtmlDecode(await (await browser.PostFormAsync("/profile", "/profile?handler=TwoStep", [])).Content.ReadAsStringAsync());
        var secret = SecretText().Match(setup).Groups[1].Value;
        var qr = QrImage().Match(setup);
        Assert.True(qr.Success, "no QR code on the setup page");
        Assert.StartsWith("<svg", Encoding.UTF8.GetString(Convert.FromBase64String(qr.Groups[1].Value)).TrimStart(), StringComparison.Ordinal);
        var token = SetupToken().Match(setup).Groups[1].Value;

        var wrong = await browser.PostFormAsync("/profile", "/profile?handler=ConfirmTwoStep",
            new Dictionary<string, string> { ["setupToken"] = token, ["code"] = WrongCode(MemberTotpService.CodeAt(secret, app.Time.GetUtcNow())) });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrong.StatusCode);

        var confirmed = await browser.PostFormAsync("/profile", "/profile?handler=ConfirmTwoStep",
            new Dictionary<string, string> { ["setupToken"] = token, ["code"] = MemberTotpService.CodeAt(secret, app.Time.GetUtcNow()) });
        var page = await confirmed.Content.ReadAsStringAsync();
        Assert.True(confirmed.StatusCode == HttpStatusCode.OK, page);
        var recovery = RecoveryCode().Matches(page).Select(m => m.Groups[1].Value).ToList();
        Assert.DoesNotContain(secret, await (await browser.GetAsync("/profile")).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        return (member, secret, recovery, browser, account);
    }

    private static string WrongCode(string right) => ((int.Parse(right, System.Globalization.CultureInfo.InvariantCulture) + 1) % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);

    private ConsoleBrowser Browser() =>
        new(app) { Headers = { [ClientAddressHeader.Name] = $"10.8.{Random.Shared.Next(256)}.{Random.Shared.Next(1, 255)}" } };

    private static async Task<(HttpResponseMessage Answer, string Pending)> PasswordAsync(ConsoleBrowser browser, Contracts.MemberResponse member)
    {
        var answer = await browser.PostFormAsync("/sign-in", "/sign-in?handler=Password",
            new Dictionary<string, string> { ["email"] = member.Email, ["password"] = Membership.Password });
        var html = answer.StatusCode == HttpStatusCode.OK ? await answer.Content.ReadAsStringAsync() : "";
        return (answer, SecondStepField().Match(html).Groups[1].Value);
    }

    private static Task<HttpResponseMessage> CodeAsync(ConsoleBrowser browser, string pending, string code) =>
        browser.PostFormAsync("/sign-in", "/sign-in?handler=Code", new Dictionary<string, string> { ["secondStep"] = pending, ["code"] = code });

    [GeneratedRegex(@"<code id=""totp-secret"">([A-Z2-7]+)</code>")]
    private static partial Regex SecretText();

    [GeneratedRegex(@"src=""data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)""")]
    private static partial Regex QrImage();

    [GeneratedRegex(@"name=""setupToken"" value=""([^""]+)""")]
    private static partial Regex SetupToken();

    [GeneratedRegex(@"name=""secondStep"" value=""([^""]+)""")]
    private static partial Regex SecondStepField();

    [GeneratedRegex(@"<li><code>([a-z2-7]{5}-[a-z2-7]{5})</code></li>")]
    private static partial Regex RecoveryCode();
}
