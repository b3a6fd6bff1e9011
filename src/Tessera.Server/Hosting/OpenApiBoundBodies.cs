using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Tessera.Server.Http;

namespace Tessera.Server.Hosting;

/// <summary>
/// A body bound by <see cref="JsonRequest{T}"/> is described by the request body
/// its <c>Accepts</c> metadata gives; the API explorer also lists the handler's parameter (custom binding, no location),
/// which is not a parameter of the request: removed.
/// </summary>
public static class OpenApiBoundBodies
{
    public static Task RemoveParametersAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var bound = context.Description.ParameterDescriptions
            .Where(p => p.Source == BindingSource.Custom && p.Type is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(JsonRequest<>))
            .Select(p => p.Name)
            .ToHashSet(StringComparer.Ordinal);
        if (bound.Count > 0 && operation.Parameters is { } parameters)
        {
            foreach (var parameter in parameters.Where(p => p.In is null && bound.Contains(p.Name ?? "")).ToList())
            {
                parameters.Remove(parameter);
            }
            if (parameters.Count == 0)
            {
                operation.Parameters = null;
            }
        }
        return Task.CompletedTask;
    }
}
