using System.Text.Json.Serialization.Metadata;
using Tessera.Contracts;

namespace Tessera.Server.Http;

/// <summary>Classifies the properties of a Contracts request record for <see cref="JsonFields.Bind{T}"/>.</summary>
public static class WireField
{
    /// <summary>
    /// The kind of <paramref name="property"/>, through <see cref="Optional{T}"/> and <see cref="Nullable{T}"/>. A type
    /// with no reader throws: checked once per record, when its endpoint is mapped (<see cref="JsonRequest{T}"/>), never on a request.
    /// </summary>
    public static WireFieldKind KindOf(JsonPropertyInfo property)
    {
        var type = IsOptional(property) ? property.PropertyType.GetGenericArguments()[0] : property.PropertyType;
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

    /// <summary>The kinds of <paramref name="record"/>'s properties, in order; throws for a field with no reader.</summary>
    public static WireFieldKind[] KindsOf(JsonTypeInfo record) => [.. record.Properties.Select(KindOf)];

    /// <summary>A record with a merge-patch field (<see cref="Optional{T}"/>) is a JSON merge patch as a whole.</summary>
    public static bool IsMergePatch(JsonTypeInfo record) => record.Properties.Any(IsOptional);

    private static bool IsOptional(JsonPropertyInfo property) =>
        property.PropertyType.IsGenericType && property.PropertyType.GetGenericTypeDefinition() == typeof(Optional<>);
}
