using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace Tessera.Server.Http;

/// <summary>
/// A handler parameter bound from an <c>application/json</c> body to the Contracts record <typeparamref name="T"/>
/// (<see cref="JsonBody.ReadAsync{T}"/>): every refusal is a problem with Tessera's code and field errors, never the
/// framework's bare 400. The endpoint accepts <typeparamref name="T"/> as JSON, which the OpenAPI document shows.
/// </summary>
public sealed class JsonRequest<T> : IEndpointParameterMetadataProvider
{
    private JsonRequest(T value) => Value = value;

    /// <summary>The request as the SDK sent it.</summary>
    public T Value { get; }

    public static async ValueTask<JsonRequest<T>?> BindAsync(HttpContext context) =>
        new(await JsonBody.ReadAsync<T>(context.Request));

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        builder.Metadata.Add(WireMetadata.Accepts<T>("application/json"));
}
