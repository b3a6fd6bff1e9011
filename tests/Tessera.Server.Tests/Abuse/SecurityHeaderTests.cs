using System.Net;
using Microsoft.Extensions.Configuration;
using Tessera.Core;
using Tessera.Server.Abuse;
using Tessera.Server.Hosting;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Abuse;

/// <summary>Issue #7 §2: API answers carry security headers that fit JSON; the abuse settings are checked at start.</summary>
public sealed class SecurityHeaderTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    [Fact]
    public async Task Json_answers_and_problems_forbid_script_framing_referrers_sniffing_and_caching()
    {
        var account = await app.NewAccountAsync();
        var created = await account.Client.PostJsonAsync("/v1/tokens", new { name = "alice" });
        var problem = await app.ClientWith(null).PostAsync("/v1/handshake", null);
        var noContent = await account.Client.DeleteAsync($"/v1/tokens/{(await created.ReadAsync<Contracts.CreatedTokenResponse>(HttpStatusCode.Created)).Id}");
        var health = await app.ClientWith(null).GetAsync("/healthz");
        var gatewayRefusal = await app.ClientWith(null).GetAsync(QuerySide.AuthPath(QuerySide.NoSuchWorkloadId)); // answered ahead of routing (GatewayAnswers)
        var gatewayMisconfigured = await app.ClientWith(null).GetAsync("/v1/auth"); // 400: no workload named, also answered there

        foreach (var response in new[] { created, problem, noContent, health, gatewayRefusal, gatewayMisconfigured })
        {
            Assert.Equal("default-src 'none'; frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.True(response.Headers.CacheControl?.NoStore, $"{response.RequestMessage?.RequestUri}: Cache-Control {response.Headers.CacheControl}");
        }
    }

    [Fact]
    public async Task The_html_reference_is_not_given_the_api_policy_that_would_block_its_script()
    {
        var docs = await app.ClientWith(null).GetAsync("/docs/");

        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Equal("text/html", docs.Content.Headers.ContentType?.MediaType);
        Assert.False(docs.Headers.Contains("Content-Security-Policy"));
        Assert.Equal("no-referrer", docs.Headers.GetValues("Referrer-Policy").Single());
    }

    [Theory]
    [InlineData("192.0.2.7", "192.0.2.7")]
    [InlineData("::ffff:192.0.2.7", "192.0.2.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::9", "2001:db8:1:2::/64")]
    public void An_ipv6_client_is_limited_by_its_64_prefix_so_rotating_addresses_gains_nothing(string address, string key) =>
        Assert.Equal(key, FailureLimiter.ClientKey(IPAddress.Parse(address)));

    [Theory]
    [InlineData("Tessera:Http:TrustedProxies:0", "10.0.0.300")]
    [InlineData("Tessera:Http:TrustedProxies:0", "10.0.0.0/99")]
    [InlineData("Tessera:Abuse:QueryFailures:PermitLimit", "-1")]
    [InlineData("Tessera:Abuse:LicenseFailures:Window", "00:00:00.5")]
    public void Bad_abuse_settings_stop_the_server_with_a_message(string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();

        var error = Assert.Throws<TesseraConfigurationException>(() => TesseraSettings.From(configuration));

        Assert.Contains(key.Split(':')[2], error.Message, StringComparison.Ordinal);
    }
}
