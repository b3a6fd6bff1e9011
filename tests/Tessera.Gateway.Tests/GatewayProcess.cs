using System.Diagnostics;
using System.Net;

namespace Tessera.Gateway.Tests;

/// <summary>examples/yarp-gateway as a process of its own, configured by environment only, as an operator runs it.</summary>
public static class GatewayProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "Tessera.YarpGateway.dll");

    /// <summary>Starts the gateway and waits (bounded) until its replica is loaded and trusted (/readyz 200).</summary>
    public static async Task<ServerProcess> StartAsync(Uri tessera, string gatewayKey, Uri upstream, string workloadId,
        IDictionary<string, string>? extra = null)
    {
        var port = ServerProcess.FreePort();
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Directory.CreateTempSubdirectory("tessera-gateway-").FullName };
        start.ArgumentList.Add(Dll);
        start.Environment["Tessera__Url"] = tessera.AbsoluteUri;
        start.Environment["Tessera__GatewayKey"] = gatewayKey;
        start.Environment["Gateway__Upstream"] = upstream.AbsoluteUri;
        start.Environment["Gateway__Workload"] = workloadId;
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        var gateway = await ServerProcess.StartAsync(start, port);
        await WaitReadyAsync(gateway);
        return gateway;
    }

    public static async Task WaitReadyAsync(ServerProcess gateway)
    {
        using var client = new HttpClient { BaseAddress = gateway.BaseAddress };
        var (ready, _) = await Poll.UntilAsync(async () => (await client.GetAsync("/readyz")).StatusCode, s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(60));
        Assert.True(ready == HttpStatusCode.OK, $"The gateway's replica never became ready:\n{gateway.Stdout}\n{gateway.Stderr}");
    }
}
