using System.Reflection;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Metadata;

namespace Tessera.Server.Http;

/// <summary>
/// A handler parameter bound from a JSON body to the Contracts record <typeparamref name="T"/>
/// (<see cref="JsonFields.Bind{T}"/>): every refusal is a problem with Tessera's code and field errors, never the
/// framework's bare 400. A record with <see cref="Tessera.Contracts.Optional{T}"/> fields is a JSON merge patch (RFC 7396),
/// taken as <c>application/merge-patch+json</c> or <c>application/json</c>; any other as <c>application/json</c>. The
/// endpoint accepts <typeparamref name="T"/> in those media types, which routing (415) and the OpenAPI document use.
/// </summary>
public sealed class JsonRequest<T> : IEndpointParameterMetadataProvider
{
    private static readonly JsonTypeInfo<T> Info = JsonBody.InfoOf<T>();

    // Worked out once per record, when the endpoint is mapped (PopulateMetadata): a field with no reader fails there.
    private static readonly WireFieldKind[] Kinds = WireField.KindsOf(Info);

    private static readonly bool MergePatch = WireField.IsMergePatch(Info);

    private JsonRequest(T value) => Value = value;

    /// <summary>The request as the SDK sent it.</summary>
    public T Value { get; }

    /// <summary>The body, with the same refusals, field by field, as <see cref="JsonBody.ReadAsync(HttpRequest, bool, bool)"/> followed by the readers of <see cref="JsonFields"/> (<see cref="JsonFields.Bind{T}"/>).</summary>
    public static async ValueTask<JsonRequest<T>?> BindAsync(HttpContext context) =>
        new((await JsonBody.ReadAsync(context.Request, MergePatch)).Bind(Info, Kinds));

    /// <summary>What <c>Accepts&lt;T&gt;</c> declares: routing answers 415 for another media type; the OpenAPI document shows the schema.</summary>
    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        builder.Metadata.Add(new AcceptsMetadata(
            MergePatch ? ["application/merge-patch+json", "application/json"] : ["application/json"], typeof(T)));
}
