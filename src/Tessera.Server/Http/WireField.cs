using System.Text.Json.Serialization.Metadata;
using Tessera.Contracts;

namespace Tessera.Server.Http;

/// <summary>Classifies the properties of a Contracts request record for <see cref="JsonFields.Bind{T}"/>.</summary>
public static class WireField
{
    /// <summary>
    /// The kind of <paramref name="property"/>, through <see cref="Optional{T}"/> and <see cref="Nullable{T}"/>. A type
    /// with no reader throws: checked when the endpoint is mapped (<see cref="JsonRequest{T}"/>), never on a request.
    /// </summary>
    public static WireFieldKind KindOf(JsonPropertyInfo property)
    {
        var type = property.PropertyType;
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Optional<>))
        {
            type = type.GetGenericArguments()[0];
        }
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return WireFieldKind.Text;
        }
        if (type == typeof(bool))
        {
            return WireFieldKind.Boolean;
        }
        if (type == typeof(DateTimeOffset))
        {
            return WireFieldKind.Instant;
        }
        if (type.IsAssignableFrom(typeof(List<string>)) && typeof(IEnumerable<string>).IsAssignableFrom(type))
        {
            return WireFieldKind.TextList;
        }
        throw new InvalidOperationException($"{property.DeclaringType.Name}.{property.Name}: a request field of type {property.PropertyType} has no reader.");
    }
}
