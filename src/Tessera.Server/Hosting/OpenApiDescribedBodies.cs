using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Tessera.Server.Http;

namespace Tessera.Server.Hosting;

/// <summary>Writes the request body of an operation whose handler reads it itself from its <see cref="DescribedBody"/>.</summary>
public static class OpenApiDescribedBodies
{
    public static async Task AddAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
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
