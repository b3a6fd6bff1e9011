// A YARP gateway in front of one model, guarded by Tessera.Gateway (API.md §9). Configured by environment only:
//   Tessera__Url         Tessera's base URL
//   Tessera__GatewayKey  a license key holding the gateway scope (bind it to the workload)
//   Gateway__Upstream    the model's base URL
//   Gateway__Workload    the id (wl_…) of the workload the model serves
//   ASPNETCORE_URLS      where the gateway listens
// Every request is proxied to the model with X-Tessera-Token-Id and X-Tessera-Workload-Id and without Authorization,
// or refused as Tessera's GET /v1/auth refuses. Answers stream through as the model writes them (nothing is buffered).
// GET /healthz answers while the process runs; GET /readyz answers 200 only while the replica is trusted.
using Tessera.Gateway;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

var builder = WebApplication.CreateSlimBuilder(args);
var upstream = builder.Configuration["Gateway:Upstream"] is { Length: > 0 } u && Uri.TryCreate(u, UriKind.Absolute, out var parsed)
    ? parsed
    : throw new InvalidOperationException("Set Gateway__Upstream to the model's base URL.");
var workload = builder.Configuration["Gateway:Workload"] is { Length: > 0 } w
    ? w
    : throw new InvalidOperationException("Set Gateway__Workload to the id (wl_…) of the workload the model serves.");

// One log line per proxied request (ASP.NET Core's and YARP's, at Information) would cost more than the proxying: warnings
// and up only; Tessera.Gateway logs what happens to its feed.
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning).AddFilter("Yarp", LogLevel.Warning);
builder.Services.AddTesseraGateway();
builder.Services.AddReverseProxy().LoadFromMemory(
    [
        new RouteConfig
        {
            RouteId = "model",
            ClusterId = "model",
            Match = new RouteMatch { Path = "{**rest}" },
            // Tessera.Gateway's middleware reads the guarded workload from the route's metadata.
            Metadata = new Dictionary<string, string> { [TesseraWorkload.MetadataKey] = workload },
        },
    ],
    [
        new ClusterConfig
        {
            ClusterId = "model",
            Destinations = new Dictionary<string, DestinationConfig> { ["model"] = new() { Address = upstream.AbsoluteUri } },
            // A model may think for minutes before its last token: no idle cut-off shorter than that.
            HttpRequest = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromMinutes(10) },
        },
    ]);

var app = builder.Build();
app.UseTesseraGateway();
app.MapGet("/healthz", () => Results.Ok(new Health("healthy")));
app.MapGet("/readyz", (TesseraReplica replica) => replica.IsTrusted
    ? Results.Ok(new Health("ready", replica.Count))
    : Results.Json(new Health("not ready", replica.Count), statusCode: StatusCodes.Status503ServiceUnavailable));
app.MapReverseProxy();
app.Run();

internal sealed record Health(string Status, int? Tokens = null);
