using System.Net;
using Microsoft.Extensions.Configuration;
using Tessera.Core;
using Tessera.Server.Abuse;
using Tessera.Server.Hosting;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Abuse;

/// <summary>
/// Issue 13: /metrics answers the loopback and private networks by default and nobody else, judged by
/// the client address a trusted proxy names (real Kestrel sockets: the proxy is 127.0.0.1).
/// </summary>
[Collection(ProcessWideMetrics.Name)]
public sealed class MetricsAccessTests(TrustedProxyApp fixture) : IClassFixture<TrustedProxyApp>
{
    private readonly HttpClient _client = fixture.App.ClientWith(null);

    [Fact]
    public async Task The_machine_itself_reads_the_metrics()
    {
        var response = await _client.GetAsync("/metrics", TestContext.Current.CancellationToken).EnsureAsync(HttpStatusCode.OK);

        Assert.Contains("tessera_known_tokens", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.2")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.254")]
    [InlineData("192.168.10.20")]
    [InlineData("fd12:3456::7")]
    [InlineData("::ffff:10.1.2.3")]
    [InlineData("::ffff:192.168.1.1")]
    public async Task A_client_on_a_private_network_reads_the_metrics(string client)
    {
        var response = await FailureLimitTests.SendAsync(_client, HttpMethod.Get, "/metrics", client).EnsureAsync(HttpStatusCode.OK);

        Assert.Contains("tessera_known_tokens", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("203.0.113.9")]
    [InlineData("11.0.0.1")]
    [InlineData("172.32.0.1")]
    [InlineData("192.169.0.1")]
    [InlineData("2001:db8::1")]
    [InlineData("fe80::1")]
    [InlineData("::ffff:203.0.113.9")]
    [InlineData("10.0.0.1, 203.0.113.9")] // the client wrote a private address itself; its proxy appended the real one
    public async Task Anyone_else_finds_nothing_there_as_at_any_unknown_address(string forwardedFor)
    {
        var nothing = await (await FailureLimitTests.SendAsync(_client, HttpMethod.Get, "/no-such-address", forwardedFor))
            .ProblemAsync(HttpStatusCode.NotFound, "not_found");

        foreach (var path in new[] { "/metrics", "/METRICS", "/metrics/" })
        {
            var response = await FailureLimitTests.SendAsync(_client, HttpMethod.Get, path, forwardedFor);

            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.DoesNotContain("tessera_", text, StringComparison.Ordinal);
            var problem = await response.ProblemAsync(HttpStatusCode.NotFound, "not_found");
            Assert.Equal((nothing.Title, nothing.Detail), (problem.Title, problem.Detail));
        }
    }

    [Theory]
    [InlineData("10.0.0.300")]
    [InlineData("10.0.0.0/33")]
    [InlineData("fc00::/129")]
    [InlineData("010.0.0.1")] // .NET would read 8.0.0.1
    [InlineData("10")] // .NET would read 0.0.0.10
    [InlineData("10.0.0.1/8")] // a host or a network? Say which.
    [InlineData("10.0.0.0/08x")]
    [InlineData("10.0.0.0/-8")]
    [InlineData("fe80::1%eth0")]
    [InlineData("localhost")]
    [InlineData(" 10.0.0.0/8")]
    public void A_malformed_network_stops_the_server_with_a_message(string entry)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Tessera:Metrics:AllowedNetworks:0"] = "10.0.0.0/8", ["Tessera:Metrics:AllowedNetworks:1"] = entry })
            .Build();

        var error = Assert.Throws<TesseraConfigurationException>(() => TesseraSettings.From(configuration));

        Assert.Contains($"Tessera:Metrics:AllowedNetworks holds '{entry}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_configuration_the_loopback_and_private_ranges_are_allowed()
    {
        var settings = TesseraSettings.From(new ConfigurationBuilder().Build());

        var access = MetricsAccess.Parse(settings.Metrics.AllowedNetworks);

        Assert.Equal(["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"], access.Networks.Select(n => n.ToString()));
        Assert.False(access.Allows(null)); // a Unix socket's peer could be a proxy speaking for anyone
    }

    [Theory]
    [InlineData("10.0.0.0/8", "::ffff:10.9.8.7", "::ffff:11.9.8.7")]
    [InlineData("::ffff:10.0.0.0/104", "10.9.8.7", "11.9.8.7")]
    [InlineData("::ffff:10.0.0.0/104", "::ffff:10.9.8.7", "::ffff:11.9.8.7")]
    [InlineData("203.0.113.7", "::ffff:203.0.113.7", "::ffff:203.0.113.6")]
    public void Either_spelling_of_an_ipv4_address_gives_the_same_answer(string network, string inside, string outside)
    {
        var access = MetricsAccess.Parse([network]);

        Assert.True(access.Allows(IPAddress.Parse(inside)));
        Assert.False(access.Allows(IPAddress.Parse(outside)));
    }
}
