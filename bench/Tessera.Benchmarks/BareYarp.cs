using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Tessera.Benchmarks;

/// <summary>
/// examples/yarp-gateway without Tessera.Gateway: the same builder, route and cluster, no middleware. What proxying
/// alone costs, so bench/gateway.sh can show what the in-process verification adds.
/// </summary>
internal static class BareYarp
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        // The example's logging, so the two differ by Tessera.Gateway only.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning).AddFilter("Yarp", LogLevel.Warning);
        var upstream = builder.Configuration["Gateway:Upstream"] ?? throw new InvalidOperationException("Set Gateway__Upstream.");
        builder.Services.AddReverseProxy().LoadFromMemory(
            [new RouteConfig { RouteId = "model", ClusterId = "model", Match = new RouteMatch { Path = "{**rest}" } }],
            [
                new ClusterConfig
                {
                    ClusterId = "model",
                    Destinations = new Dictionary<string, DestinationConfig> { ["model"] = new() { Address = upstream } },
                    HttpRequest = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromMinutes(10) },
                },
            ]);
        var app = builder.Build();
        app.MapReverseProxy();
        await app.RunAsync();
        return 0;
    }
}
