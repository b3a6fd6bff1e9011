using Microsoft.AspNetCore.Builder;

namespace Tessera.Gateway;

/// <summary>Marks endpoints and route groups as guarded by Tessera.</summary>
public static class TesseraGatewayEndpointExtensions
{
    /// <summary>
    /// Lets a request through only with <c>Authorization: Bearer tsq_…</c> of a usable token bound to
    /// <paramref name="workloadId"/>; it reaches the endpoint with <c>X-Tessera-Token-Id</c> and
    /// <c>X-Tessera-Workload-Id</c> set and without <c>Authorization</c>. Needs <c>app.UseTesseraGateway()</c>.
    /// </summary>
    /// <param name="builder">An endpoint, a route group, or YARP's <c>MapReverseProxy()</c>.</param>
    /// <param name="workloadId">The workload's id, <c>wl_…</c>.</param>
    public static TBuilder RequireTesseraToken<TBuilder>(this TBuilder builder, string workloadId) where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        TesseraGatewayOptionsValidation.ThrowIfNotWorkloadId(workloadId, nameof(workloadId));
        var metadata = new TesseraWorkload(workloadId);
        builder.Add(endpoint => endpoint.Metadata.Add(metadata));
        return builder;
    }
}
