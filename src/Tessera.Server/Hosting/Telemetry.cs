using System.Reflection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Tessera.Core.Verification;
using Tessera.Storage.Sql;

namespace Tessera.Server.Hosting;

/// <summary>
/// OpenTelemetry (issue 19): every metric and span says which service, version and process it came from; /metrics
/// carries Tessera's own instruments and HTTP server, runtime and process metrics; traces (API requests, store
/// calls, PostgreSQL statements) and metrics are exported over OTLP only when OTEL_EXPORTER_OTLP_ENDPOINT is set,
/// so a server without a collector sends nothing anywhere and records no spans at all.
/// </summary>
public static class Telemetry
{
    public const string ServiceName = "tessera";

    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static string Version { get; } =
        typeof(Telemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static void AddTesseraTelemetry(this WebApplicationBuilder builder)
    {
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointVariable]);
        var telemetry = builder.Services.AddOpenTelemetry()
            // A random service.instance.id per process: two servers on one host stay two series.
            .ConfigureResource(r => r.AddService(ServiceName, serviceVersion: Version, autoGenerateServiceInstanceId: true))
            .WithMetrics(m =>
            {
                m.AddMeter(VerificationMetrics.MeterName)
                    .AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddProcessInstrumentation()
                    .AddPrometheusExporter();
                if (otlp)
                {
                    m.AddOtlpExporter();
                }
            });
        if (otlp)
        {
            telemetry.WithTracing(t => t
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsProbe(context.Request.Path))
                .AddSource(StorageTelemetry.SourceName)
                .AddSource("Npgsql")
                .AddOtlpExporter());
        }
    }

    // Health probes and scrapes every few seconds would drown the traces that matter.
    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz") || path.StartsWithSegments("/metrics");
}
