using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace Tessera.Server.Http;

/// <summary>
/// A handler parameter bound from a JSON body to the Contracts record <typeparamref name="T"/>
/// (<see cref="JsonBody.ReadAsync{T}"/>): every refusal is a problem with Tessera's code and field errors, never the
/// framework's bare 400. A record with <see cref="Tessera.Contracts.Optional{T}"/> fields is a JSON merge patch (RFC 7396),
/// taken as <c>application/merge-patch+json</c> or <c>application/json</c>; any other as <c>application/json</c>. The
/// endpoint accepts <typeparamref name="T"/> in those media types, which routing (415) and the OpenAPI document use.
/// </summary>
public sealed class JsonRequest<T> : IEndpointParameterMetadataProvider
{
    private static readonly bool MergePatch = WireField.IsMergePatch(JsonBody.InfoOf<T>());

    private JsonRequest(T value) => Value = value;

    /// <summary>The request as the SDK sent it.</summary>
    public T Value { get; }

    public static async ValueTask<JsonRequest<T>?> BindAsync(HttpContext context) =>
        new(await JsonBody.ReadAsync<T>(context.Request, MergePatch));

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        builder.Metadata.Add(MergePatch
            ? WireMetadata.Accepts<T>("application/merge-patch+json", "application/json")
            : WireMetadata.Accepts<T>("application/json"));
}
