using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Tessera.Server.Http;

namespace Tessera.Server.Hosting;

/// <summary>Adds each <see cref="AlternativeContent"/> of an operation to its answer of that status.</summary>
public static class OpenApiAlternativeContent
{
    public static Task AddAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var alternative in context.Description.ActionDescriptor.EndpointMetadata.OfType<AlternativeContent>())
        {
            var status = alternative.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (operation.Responses?.GetValueOrDefault(status) is OpenApiResponse response)
            {
                response.Content ??= new Dictionary<string, OpenApiMediaType>();
                response.Content[alternative.ContentType] = new OpenApiMediaType
                {
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    Example = JsonValue.Create(alternative.Example),
                };
            }
        }
        return Task.CompletedTask;
    }
}
