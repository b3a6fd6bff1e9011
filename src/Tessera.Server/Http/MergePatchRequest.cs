using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace Tessera.Server.Http;

/// <summary>
/// A handler parameter bound from a JSON merge patch (RFC 7396; <c>application/merge-patch+json</c> or
/// <c>application/json</c>) to the Contracts record <typeparamref name="T"/>, whose <see cref="Tessera.Contracts.Optional{T}"/>
/// fields tell a field left out from one set to null. Refusals as <see cref="JsonRequest{T}"/>.
/// </summary>
public sealed class MergePatchRequest<T> : IEndpointParameterMetadataProvider
{
    private MergePatchRequest(T value) => Value = value;

    /// <summary>The patch as the SDK sent it.</summary>
    public T Value { get; }

    public static async ValueTask<MergePatchRequest<T>?> BindAsync(HttpContext context) =>
        new(await JsonBody.ReadAsync<T>(context.Request, mergePatch: true));

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        builder.Metadata.Add(WireMetadata.Accepts<T>("application/merge-patch+json", "application/json"));
}
