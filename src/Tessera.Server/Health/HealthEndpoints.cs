using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Primitives;
using Tessera.Server.Auth;
using Tessera.Server.Http;

namespace Tessera.Server.Health;

/// <summary>
/// The two probes, public and outside <c>/v1</c>: <c>/healthz</c> (liveness: the process answers; nothing else is
/// checked) and <c>/readyz</c> (readiness: every check tagged "ready", today <see cref="DatabaseHealthCheck"/>).
/// <c>GET /healthz</c> is also answered ahead of routing by <see cref="Endpoints.GatewayAnswers"/>, with
/// <see cref="LivenessAsync"/>; the mapped endpoint serves every other spelling and method.
/// </summary>
public static class HealthEndpoints
{
    public const string LivenessPath = "/healthz";
    public const string ReadinessPath = "/readyz";

    private static readonly byte[] Healthy = Encoding.UTF8.GetBytes("{\"status\":\"healthy\"}");
    private static readonly StringValues Json = new("application/json");

    /// <summary>Registers the readiness checks.</summary>
    public static IServiceCollection AddTesseraHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        return services;
    }

    /// <summary>Maps <c>/healthz</c> and <c>/readyz</c>.</summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        // Liveness has one answer: GatewayAnswers gives it to GET /healthz ahead of routing, and here to every other spelling and method.
        app.Map(LivenessPath, LivenessAsync).ExemptFromScopes("liveness is public");
        app.MapHealthChecks(ReadinessPath, new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteReadinessAsync })
            .ExemptFromScopes("readiness is public");
        return app;
    }

    /// <summary>Liveness: the process answers; nothing else is checked (readiness is /readyz).</summary>
    public static Task LivenessAsync(HttpContext context)
    {
        var response = context.Response;
        ApiSecurityHeaders.Apply(response);
        response.Headers.ContentType = Json;
        response.ContentLength = Healthy.Length;
        return response.Body.WriteAsync(Healthy, 0, Healthy.Length, context.RequestAborted);
    }

    private static Task WriteReadinessAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["status"] = report.Status.ToString().ToLowerInvariant(),
        }, HealthJsonContext.Default.DictionaryStringString));
    }
}

[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class HealthJsonContext : JsonSerializerContext;
