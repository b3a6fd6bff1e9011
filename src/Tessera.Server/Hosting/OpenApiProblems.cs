using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Tessera.Server.Auth;

namespace Tessera.Server.Hosting;

/// <summary>
/// One <c>Problem</c> schema for every application/problem+json answer, with the fields the server really sends
/// (<see cref="Http.Problems"/> adds <c>code</c> and <c>errors</c>, the problem-details service <c>traceId</c>), and
/// the refusals every /v1 operation can give: 401 (no or bad key), 403 (the key lacks the operation's scope) and 429
/// (the address used up its failure budget). The Lattica surface (/api) answers in Lattica's own error shape and is
/// left as it is.
/// </summary>
public static class OpenApiProblems
{
    public const string SchemaName = "Problem";
    private const string ProblemJson = "application/problem+json";

    public static Task AddSchemaAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[SchemaName] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "RFC 9457 problem details with Tessera's stable code; errors lists field problems (400, 422).",
            Required = new HashSet<string> { "title", "status", "code" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = Text("A URI reference identifying the problem type."),
                ["title"] = Text("Short summary of the status."),
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Description = "The HTTP status." },
                ["detail"] = Text("What went wrong, for a person."),
                ["instance"] = Text("The request path, when given."),
                ["code"] = Text("Stable machine-readable code, e.g. invalid_query, not_found, insufficient_scope."),
                ["errors"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Description = "Field name to its problems.",
                    AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
                },
                ["traceId"] = Text("W3C trace id of the request, for the server's logs."),
            },
        };
        return Task.CompletedTask;
    }

    public static Task UseProblemSchemaAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var path = "/" + (context.Description.RelativePath ?? "").TrimStart('/');
        if (!path.StartsWith("/v1/", StringComparison.Ordinal))
        {
            return Task.CompletedTask;
        }
        operation.Responses ??= [];
        foreach (var (status, response) in operation.Responses.ToList())
        {
            if (response is OpenApiResponse { Content: { } content } && content.ContainsKey(ProblemJson))
            {
                operation.Responses[status] = Problem(response.Description ?? status, context.Document);
            }
        }
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        operation.Responses.TryAdd("401", Problem("No license key, or one that is unknown, revoked or expired.", context.Document));
        if (metadata.OfType<RequiredScopeAttribute>().Any(s => s.Scope is not null))
        {
            operation.Responses.TryAdd("403", Problem("The license key lacks the scope this operation needs (code insufficient_scope).", context.Document));
        }
        operation.Responses.TryAdd("429", Problem("Too many failed attempts from this address; see Retry-After.", context.Document));
        return Task.CompletedTask;
    }

    private static OpenApiResponse Problem(string description, OpenApiDocument? document) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            [ProblemJson] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(SchemaName, document) },
        },
    };

    private static OpenApiSchema Text(string description) => new() { Type = JsonSchemaType.String, Description = description };
}
