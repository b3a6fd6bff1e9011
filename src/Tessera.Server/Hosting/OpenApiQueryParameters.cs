using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Tessera.Server.Http;

namespace Tessera.Server.Hosting;

/// <summary>
/// Lists each operation's query parameters in the OpenAPI document from the <see cref="QueryContract"/> its handler
/// parses with (issue 19). The handlers read the query themselves (strictly: unknown or repeated names and bad values
/// are one 400 invalid_query), so minimal-API binding cannot describe them; the contract is the one definition.
/// </summary>
public static class OpenApiQueryParameters
{
    public static Task AddAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var contract = context.Description.ActionDescriptor.EndpointMetadata.OfType<QueryContract>().LastOrDefault();
        if (contract is null)
        {
            return Task.CompletedTask;
        }
        operation.Parameters ??= [];
        foreach (var parameter in contract.Parameters)
        {
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = parameter.Name,
                In = ParameterLocation.Query,
                Required = false,
                Description = parameter.Description,
                Schema = Schema(parameter),
            });
        }
        return Task.CompletedTask;
    }

    private static OpenApiSchema Schema(QueryParameter parameter) => parameter.Kind switch
    {
        QueryParameterKind.Integer => new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
        QueryParameterKind.Instant => new OpenApiSchema { Type = JsonSchemaType.String, Format = "date-time" },
        _ => new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Enum = parameter.Choices is { } choices ? [.. choices.Select(c => (JsonNode)JsonValue.Create(c))] : null,
        },
    };
}
