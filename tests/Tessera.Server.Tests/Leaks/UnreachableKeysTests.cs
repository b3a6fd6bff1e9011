using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Leaks;

/// <summary>GitHub's key list cannot be fetched: a report is answered 503 (GitHub retries) and changes nothing.</summary>
public sealed class UnreachableKeysTests(UnreachableKeysTests.App server) : IClassFixture<UnreachableKeysTests.App>
{
    [Fact]
    public async Task Without_a_key_list_a_report_is_503_leak_keys_unavailable_and_the_token_is_untouched()
    {
        var app = server.Server;
        var account = await app.NewAccountAsync();
        var token = await account.CreateTokenAsync("alice");
        var body = LeakServer.Batch((token.Token, "https://github.com/a/b"));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/leaks/github") { Content = new ByteArrayContent(body) };
        request.Headers.Add("Github-Public-Key-Identifier", GitHubKeyServer.CurrentKeyId);
        request.Headers.Add("Github-Public-Key-Signature", GitHubKeyServer.SignWith(key, body));

        var response = await app.ClientWith(null).SendAsync(request, TestContext.Current.CancellationToken);

        await response.ProblemAsync(HttpStatusCode.ServiceUnavailable, "leak_keys_unavailable");
        Assert.NotNull(response.Headers.RetryAfter);
        var after = await account.GetTokenAsync(token.Id);
        Assert.Equal(("active", 1L), (after.Status, after.Version));
        Assert.Null(after.Leak);
    }

    /// <summary>A server whose keys URL is a loopback port nothing listens on (taken and released at start).</summary>
    public sealed class App : IAsyncDisposable
    {
        public App()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            Server = new TesseraApp { Settings = new() { ["Tessera:Leaks:GitHubKeysUrl"] = $"http://127.0.0.1:{port}/keys" } };
        }

        public TesseraApp Server { get; }

        public ValueTask DisposeAsync() => Server.DisposeAsync();
    }
}
