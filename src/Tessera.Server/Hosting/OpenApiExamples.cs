using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Tessera.Server.Http;

namespace Tessera.Server.Hosting;

/// <summary>
/// Puts an example on every request body and answer of the API description (issue 19), from
/// <see cref="ContractExamples"/>: the sample of the body's or answer's type, serialized with the server's JSON
/// options, and for a problem the refusal its status most often is.
/// </summary>
public static class OpenApiExamples
{
    private const string ProblemJson = "application/problem+json";

    public static Task AddAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var options = context.ApplicationServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var requestType = metadata.OfType<DescribedBody>().LastOrDefault()?.Type ?? metadata.OfType<IAcceptsMetadata>().LastOrDefault()?.RequestType;
        if (operation.RequestBody?.Content is { } requestContent && requestType is not null
            && ContractExamples.RequestFor(requestType) is { } request)
        {
            var example = WithoutNulls(JsonSerializer.SerializeToNode(request, requestType, options));
            foreach (var media in requestContent.Values)
            {
                media.Example = example?.DeepClone();
            }
        }

        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (response.Content is not { } content || !int.TryParse(status, out var code))
            {
                continue;
            }
            foreach (var (mediaType, media) in content)
            {
                var sample = mediaType == ProblemJson
                    ? ContractExamples.ProblemFor(code)
                    : context.Description.SupportedResponseTypes.FirstOrDefault(r => r.StatusCode == code && r.Type is not null && r.Type != typeof(void))
                        is { Type: { } type } ? ContractExamples.ResponseFor(type) : null;
                if (sample is not null)
                {
                    media.Example = WithoutNulls(JsonSerializer.SerializeToNode(sample, sample.GetType(), options), keepNulls: mediaType != ProblemJson);
                }
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>A request example shows only what a caller sends; a problem omits what the server omits.</summary>
    private static JsonNode? WithoutNulls(JsonNode? node, bool keepNulls = false)
    {
        if (!keepNulls && node is JsonObject json)
        {
            foreach (var name in json.Where(p => p.Value is null).Select(p => p.Key).ToList())
            {
                json.Remove(name);
            }
        }
        return node;
    }
}
