using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Tessera.Server.Http;

namespace Tessera.Server.Hosting;

/// <summary>
/// Writes the request body of an operation whose handler reads it itself from its <see cref="DescribedBody"/> (JSON) or
/// <see cref="DescribedCsvBody"/> (a CSV file and its required header).
/// </summary>
public static class OpenApiDescribedBodies
{
    public static async Task AddAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<DescribedCsvBody>().LastOrDefault() is { } csv)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = csv.Description,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["text/csv"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String }, Example = JsonValue.Create(csv.Example) },
                },
            };
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = csv.Header,
                In = ParameterLocation.Header,
                Required = true,
                Description = csv.HeaderDescription,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = Tessera.Core.Imports.TokenImportService.MaxKeyLength },
            });
            return;
        }
        if (operation.RequestBody is not null
            || context.Description.ActionDescriptor.EndpointMetadata.OfType<DescribedBody>().LastOrDefault() is not { } body)
        {
            return;
        }
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = false,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(body.Type, null, cancellationToken) },
            },
        };
    }
}
