namespace Tessera.Server.Tests.WebConsole;

/// <summary>X-Forwarded-Proto from a peer that is not a trusted proxy is ignored: a client cannot claim HTTPS for itself.</summary>
public sealed class UntrustedHttpsClaimTests(RemoteProxyApp fixture) : IClassFixture<RemoteProxyApp>
{
    [Fact]
    public async Task X_forwarded_proto_from_an_untrusted_peer_makes_nothing_secure_or_pinned()
    {
        foreach (var forwardedFor in new[] { "192.0.2.71", null })
        {
            var answers = await HttpsBehindProxyTests.ConsoleAndApiAsync(fixture.App, HttpsBehindProxyTests.Proxied("https", forwardedFor));

            Assert.All(answers.Responses, r => Assert.False(r.Value.Headers.Contains("Strict-Transport-Security"), r.Key));
            Assert.Equal(2, answers.Cookies.Count);
            Assert.All(answers.Cookies.Values, c => Assert.DoesNotContain("secure", c, StringComparison.OrdinalIgnoreCase));
        }
    }
}
