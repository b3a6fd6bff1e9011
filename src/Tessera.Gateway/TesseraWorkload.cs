namespace Tessera.Gateway;

/// <summary>
/// Endpoint metadata: requests to this endpoint need a usable query token bound to <see cref="WorkloadId"/>. Added by
/// <see cref="TesseraGatewayEndpointExtensions.RequireTesseraToken{TBuilder}"/>; on a YARP route, put
/// <c>"Metadata": { "TesseraWorkload": "wl_…" }</c> in the route's configuration instead. Honoured by
/// <see cref="TesseraGatewayApplicationBuilderExtensions.UseTesseraGateway"/>.
/// </summary>
/// <param name="WorkloadId">The id (<c>wl_…</c>) of the workload the endpoint leads to.</param>
public sealed record TesseraWorkload(string WorkloadId)
{
    /// <summary>The key of the YARP route metadata entry naming the workload.</summary>
    public const string MetadataKey = "TesseraWorkload";
}
