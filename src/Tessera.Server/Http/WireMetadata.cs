using Microsoft.AspNetCore.Http.Metadata;

namespace Tessera.Server.Http;

/// <summary>The endpoint metadata of a bound request body (<see cref="JsonRequest{T}"/>).</summary>
public static class WireMetadata
{
    /// <summary>
    /// What <c>Accepts&lt;T&gt;</c> declares (routing answers 415 for another media type; the OpenAPI document shows the
    /// schema), after checking, when the endpoint is mapped, that every field of <typeparamref name="T"/> has a reader.
    /// </summary>
    public static AcceptsMetadata Accepts<T>(params string[] contentTypes)
    {
        foreach (var property in JsonBody.InfoOf<T>().Properties)
        {
            WireField.KindOf(property);
        }
        return new AcceptsMetadata(contentTypes, typeof(T));
    }
}
