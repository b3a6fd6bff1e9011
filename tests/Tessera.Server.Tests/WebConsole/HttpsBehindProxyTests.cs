using System.Net;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.WebConsole;

/// <summary>
/// Issue 13 §5: behind a proxy that terminates TLS, X-Forwarded-Proto from a trusted proxy makes the request
/// HTTPS to Tessera: console cookies are Secure and every answer (console, API, gateway answers) carries
/// Strict-Transport-Security. Over plain HTTP, neither. Real sockets, so the peer address is judged as in production.
/// </summary>
public sealed class HttpsBehindProxyTests(LoopbackProxyApp fixture) : IClassFixture<LoopbackProxyApp>
{
    public const string Hsts = "max-age=31536000";

    /// <summary>What the proxy adds; the host is a real name, since HSTS is never sent for localhost.</summary>
    public static Dictionary<string, string> Proxied(string? proto, string? forwardedFor = "192.0.2.70")
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Host"] = "tessera.example" };
        if (proto is not null)
        {
            headers["X-Forwarded-Proto"] = proto;
        }
        if (forwardedFor is not null)
        {
            headers["X-Forwarded-For"] = forwardedFor;
        }
        return headers;
    }

    [Fact]
    public async Task Through_a_trusted_proxy_that_says_https_cookies_are_secure_and_every_answer_carries_hsts()
    {
        var answers = await ConsoleAndApiAsync(fixture.App, Proxied("https"));

        Assert.All(answers.Responses, r => Assert.Equal(Hsts, Assert.Single(r.Value.Headers.GetValues("Strict-Transport-Security"))));
        Assert.Equal(["tessera_antiforgery", ConsoleBrowser.SessionCookie], answers.Cookies.Keys.Order(StringComparer.Ordinal));
        Assert.All(answers.Cookies.Values, c => Assert.Contains("; secure", c, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Through_a_trusted_proxy_over_plain_http_cookies_are_not_secure_and_nothing_is_pinned()
    {
        foreach (var proto in new[] { null, "http" })
        {
            var answers = await ConsoleAndApiAsync(fixture.App, Proxied(proto));

            Assert.All(answers.Responses, r => Assert.False(r.Value.Headers.Contains("Strict-Transport-Security"), r.Key));
            Assert.Equal(2, answers.Cookies.Count);
            Assert.All(answers.Cookies.Values, c => Assert.DoesNotContain("secure", c, StringComparison.OrdinalIgnoreCase));
        }
    }

    /// <summary>
    /// Signs in to the console with <paramref name="headers"/> on every request and asks the API and the gateway
    /// answers too; returns every answer by path and the Set-Cookie line of each console cookie.
    /// </summary>
    internal static async Task<(Dictionary<string, HttpResponseMessage> Responses, Dictionary<string, string> Cookies)> ConsoleAndApiAsync(
        TesseraApp app, Dictionary<string, string> headers)
    {
        var account = await app.NewAccountAsync();
        var browser = ConsoleBrowser.OverSockets(app.ClientOptions.BaseAddress);
        foreach (var (name, value) in headers)
        {
            browser.Headers[name] = value;
        }
        var responses = new Dictionary<string, HttpResponseMessage>(StringComparer.Ordinal);
        var cookies = new Dictionary<string, string>(StringComparer.Ordinal);
        void Keep(string what, HttpResponseMessage response)
        {
            responses[what] = response;
            foreach (var line in browser.LastSetCookies)
            {
                cookies[line.Split('=', 2)[0]] = line;
            }
        }

        Keep("GET /sign-in", await browser.GetAsync("/sign-in"));
        var signedIn = await browser.TrySignInAsync(account.LicenseKey);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Keep("POST /sign-in", signedIn);
        Keep("GET /workloads", await browser.GetAsync("/workloads"));
        Assert.Equal(HttpStatusCode.OK, responses["GET /workloads"].StatusCode);

        using var api = app.ClientWith(account.LicenseKey);
        foreach (var path in new[] { "/v1/account", QuerySide.AuthPath(QuerySide.NoSuchWorkloadId), "/healthz", "/openapi/v1.json" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
            responses[$"GET {path.Split('?')[0]}"] = await api.SendAsync(request, TestContext.Current.CancellationToken);
        }
        Assert.Equal(HttpStatusCode.OK, responses["GET /v1/account"].StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, responses["GET /v1/auth"].StatusCode); // a license key is no query token
        return (responses, cookies);
    }
}
