using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Tessera.Contracts;

namespace Tessera.Server.Hosting;

/// <summary>
/// A merge-patch field (<see cref="Optional{T}"/>) is written as its value, or left out: its schema is the value's,
/// which may be null (clearing, unassigning), instead of the empty schema a custom converter gets.
/// </summary>
public static class OpenApiOptionalFields
{
    public static async Task DescribeAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(Optional<>))
        {
            return;
        }
        var value = await context.GetOrCreateSchemaAsync(type.GetGenericArguments()[0], null, cancellationToken);
        schema.Type = (value.Type ?? JsonSchemaType.String) | JsonSchemaType.Null;
        schema.Format = value.Format;
        schema.Items = value.Items;
        schema.Enum = value.Enum;
    }
}
