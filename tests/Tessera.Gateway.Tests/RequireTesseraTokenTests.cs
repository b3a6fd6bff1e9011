using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tessera.Gateway.Tests;

/// <summary>
/// Tessera.Gateway in any ASP.NET Core app (not YARP): <c>AddTesseraGateway</c> + <c>UseTesseraGateway</c>, and
/// <c>RequireTesseraToken</c> on a route group, against a real Tessera server.
/// </summary>
public sealed class RequireTesseraTokenTests : IClassFixture<GatewayRig>
{
    private readonly GatewayRig _rig;

    public RequireTesseraTokenTests(GatewayRig rig)
    {
        TestPostgres.Require();
        _rig = rig;
    }

    [Fact]
    public async Task A_route_group_marked_with_RequireTesseraToken_lets_only_its_workloads_tokens_through_and_other_endpoints_stay_open()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddTesseraGateway(o =>
        {
            o.Url = _rig.A.BaseAddress;
            o.GatewayKey = _rig.GatewayKey;
        });
        await using var app = builder.Build();
        app.UseTesseraGateway();
        app.MapGet("/open", () => "open");
        var guarded = app.MapGroup("/model").RequireTesseraToken(_rig.WorkloadId);
        guarded.MapGet("/who", (HttpRequest request) => new
        {
            tokenId = request.Headers["X-Tessera-Token-Id"].ToString(),
            workloadId = request.Headers["X-Tessera-Workload-Id"].ToString(),
            authorization = request.Headers.Authorization.ToString(),
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var replica = app.Services.GetRequiredService<TesseraReplica>();
        await Poll.UntilAsync(() => Task.FromResult(replica.IsTrusted), trusted => trusted, TimeSpan.FromSeconds(60));
        Assert.True(replica.IsTrusted);

        var token = await _rig.CreateTokenAsync(_rig.A, _rig.WorkloadId, "minimal-api");
        var other = await _rig.CreateTokenAsync(_rig.A, _rig.OtherWorkloadId, "minimal-api-other");
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        using var anonymous = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", token.Token);

        var (who, _) = await Poll.UntilAsync(() => client.GetAsync("/model/who"), r => r.StatusCode == HttpStatusCode.OK);
        var seen = await who.JsonObjectAsync();
        Assert.Equal(token.Id, (string?)seen["tokenId"]);
        Assert.Equal(_rig.WorkloadId, (string?)seen["workloadId"]);
        Assert.Equal("", (string?)seen["authorization"]);

        Assert.Equal("open", await anonymous.GetStringAsync("/open"));
        await (await anonymous.GetAsync("/model/who")).ProblemAsync(HttpStatusCode.Unauthorized, "token_missing");
        using var otherClient = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        otherClient.DefaultRequestHeaders.Authorization = new("Bearer", other.Token);
        var (wrong, _) = await Poll.UntilAsync(() => otherClient.GetAsync("/model/who"), r => r.StatusCode == HttpStatusCode.Forbidden);
        await wrong.ProblemAsync(HttpStatusCode.Forbidden, "token_wrong_workload");
        Assert.Equal("Bearer error=\"insufficient_scope\"", wrong.Headers.WwwAuthenticate.ToString());
        Assert.True(replica.Count >= 2);
        await app.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public void A_workload_named_by_anything_but_its_id_is_refused_where_the_endpoint_is_mapped()
    {
        var builder = WebApplication.CreateSlimBuilder();
        var app = builder.Build();
        var error = Assert.Throws<ArgumentException>(() => app.MapGet("/x", () => "x").RequireTesseraToken("llama-3"));
        Assert.Contains("wl_", error.Message, StringComparison.Ordinal);
    }
}
