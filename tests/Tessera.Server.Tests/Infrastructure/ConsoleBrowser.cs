using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// The web console driven over plain HTTP, as a browser would for one site: it keeps the cookies it is sent
/// (by name, in <see cref="Cookies"/>, so a test can save one and replay it), posts forms with the page's
/// antiforgery token, and follows no redirect, so every answer can be inspected. The Playwright tests in
/// Tessera.Console.Tests drive a real browser; this one is for in-process servers with a controllable clock.
/// </summary>
public sealed partial class ConsoleBrowser(HttpClient client)
{
    public const string SessionCookie = "tessera_console";

    /// <summary>A browser on <paramref name="app"/>'s in-memory server.</summary>
    public ConsoleBrowser(TesseraApp app)
        : this(app.CreateClient(new WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false,
            HandleCookies = false,
            BaseAddress = app.ClientOptions.BaseAddress,
        }))
    {
    }

    /// <summary>
    /// A browser over real sockets, for an app serving on Kestrel (whose factory-made clients keep cookies and
    /// follow redirects in their socket handler, whatever the options say).
    /// </summary>
    public static ConsoleBrowser OverSockets(Uri baseAddress) =>
        new(new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = baseAddress });

    public Dictionary<string, string> Cookies { get; } = new(StringComparer.Ordinal);

    /// <summary>Headers sent with every request (e.g. what a proxy in front would add).</summary>
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The Set-Cookie lines of the last answer, as sent.</summary>
    public IReadOnlyList<string> LastSetCookies { get; private set; } = [];

    public Task<HttpResponseMessage> GetAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path));

    /// <summary>Posts <paramref name="fields"/> to <paramref name="path"/> with the antiforgery token of the page at <paramref name="formPage"/>.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string formPage, string path, Dictionary<string, string> fields)
    {
        var page = await GetAsync(formPage);
        var html = await page.Content.ReadAsStringAsync();
        var token = AntiforgeryField().Match(html);
        Assert.True(token.Success, $"{formPage} answered {(int)page.StatusCode} without a form: {html[..Math.Min(html.Length, 500)]}");
        return await SendAsync(new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>(fields) { ["__antiforgery"] = WebUtility.HtmlDecode(token.Groups[1].Value) }),
        });
    }

    /// <summary>Signs in with the form; returns the answer (302 to the home, '/', when the key is accepted).</summary>
    public Task<HttpResponseMessage> TrySignInAsync(string licenseKey) =>
        PostFormAsync("/sign-in", "/sign-in", new Dictionary<string, string> { ["licenseKey"] = licenseKey });

    public async Task SignInAsync(string licenseKey)
    {
        var answer = await TrySignInAsync(licenseKey);
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Equal("/", answer.Headers.Location?.OriginalString); // the home: '/' sends the key on to the Dashboard
        Assert.True(Cookies.ContainsKey(SessionCookie), "signing in set no session cookie");
    }

    /// <summary>Signs out with the button every page has; returns the answer (302 to /sign-in).</summary>
    public Task<HttpResponseMessage> SignOutAsync() => PostFormAsync("/workloads", "/sign-out", []);

    /// <summary>Where a console page sends this browser: the page itself (200) or the redirect's target (path and query).</summary>
    public async Task<string> LandsOnAsync(string path)
    {
        var answer = await GetAsync(path);
        return answer.StatusCode switch
        {
            HttpStatusCode.OK => path,
            HttpStatusCode.Redirect when answer.Headers.Location is { IsAbsoluteUri: true } target => target.PathAndQuery,
            HttpStatusCode.Redirect => answer.Headers.Location!.OriginalString,
            var other => throw new InvalidOperationException($"GET {path} answered {(int)other}"),
        };
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        foreach (var (name, value) in Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }
        if (Cookies.Count > 0)
        {
            request.Headers.Add("Cookie", string.Join("; ", Cookies.Select(c => $"{c.Key}={c.Value}")));
        }
        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        LastSetCookies = response.Headers.TryGetValues("Set-Cookie", out var lines) ? [.. lines] : [];
        foreach (var line in LastSetCookies)
        {
            var pair = line.Split(';', 2)[0];
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var (name, value) = (pair[..equals].Trim(), pair[(equals + 1)..].Trim());
            // A deleted cookie comes back empty (and expired).
            if (value.Length == 0)
            {
                Cookies.Remove(name);
            }
            else
            {
                Cookies[name] = value;
            }
        }
        return response;
    }

    [GeneratedRegex(@"<input[^>]*name=""__antiforgery""[^>]*value=""([^""]+)""")]
    private static partial Regex AntiforgeryField();
}
