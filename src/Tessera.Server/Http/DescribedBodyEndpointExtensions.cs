namespace Tessera.Server.Http;

/// <summary>Attaches a <see cref="DescribedBody"/> to an endpoint, where the OpenAPI document reads it.</summary>
public static class DescribedBodyEndpointExtensions
{
    public static RouteHandlerBuilder DescribeBody<TBody>(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(new DescribedBody(typeof(TBody)));
}
