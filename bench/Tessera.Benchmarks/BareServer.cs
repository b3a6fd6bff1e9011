using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Tessera.Benchmarks;

/// <summary>
/// An empty ASP.NET Core endpoint in a process of its own (<c>GET /healthz</c>, the same body as Tessera's,
/// no logging, no middleware): what HTTP alone costs on the machine, so <c>bench/http.sh</c> can show how much
/// of a latency figure is Tessera's and how much is the server framework and the shared cores.
/// </summary>
internal static class BareServer
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/healthz", () => Results.Text("""{"status":"healthy"}""", "application/json"));
        // The model behind the gateways of bench/gateway.sh: the same answer, on a path the gateways proxy.
        app.MapGet("/v1/ping", () => Results.Text("""{"status":"healthy"}""", "application/json"));
        await app.RunAsync();
        return 0;
    }
}
