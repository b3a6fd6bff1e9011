using System.Net;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Abuse;

/// <summary>Issue 13: a configured Tessera:Metrics:AllowedNetworks replaces the defaults, loopback included.</summary>
[Collection(ProcessWideMetrics.Name)]
public sealed class MetricsNetworksTests(MetricsNetworksApp fixture) : IClassFixture<MetricsNetworksApp>
{
    private readonly HttpClient _client = fixture.App.ClientWith(null);

    [Theory]
    [InlineData("198.51.100.200")]
    [InlineData("::ffff:198.51.100.9")]
    [InlineData("2001:db8:5:ffff::1")]
    [InlineData("203.0.113.7")]
    public async Task A_client_in_a_configured_network_reads_the_metrics(string client)
    {
        var response = await FailureLimitTests.SendAsync(_client, HttpMethod.Get, "/metrics", client).EnsureAsync(HttpStatusCode.OK);

        Assert.Contains("tessera_known_tokens", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("198.51.101.1")]
    [InlineData("203.0.113.8")]
    [InlineData("2001:db8:6::1")]
    [InlineData("10.0.0.1")] // a default range, replaced by the configured list
    public async Task Any_other_client_finds_nothing_there(string client) =>
        await (await FailureLimitTests.SendAsync(_client, HttpMethod.Get, "/metrics", client)).ProblemAsync(HttpStatusCode.NotFound, "not_found");

    [Fact]
    public async Task The_machine_itself_is_not_in_the_list_either() =>
        await (await _client.GetAsync("/metrics", TestContext.Current.CancellationToken)).ProblemAsync(HttpStatusCode.NotFound, "not_found");
}
