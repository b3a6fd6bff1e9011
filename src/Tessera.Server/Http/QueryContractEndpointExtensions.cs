namespace Tessera.Server.Http;

/// <summary>Attaches a <see cref="QueryContract"/> to an endpoint, where the OpenAPI document reads its parameters.</summary>
public static class QueryContractEndpointExtensions
{
    public static TBuilder WithQuery<TBuilder>(this TBuilder builder, QueryContract contract)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(contract);
}
