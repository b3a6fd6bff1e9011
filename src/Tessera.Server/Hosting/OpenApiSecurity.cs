using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Tessera.Server.Hosting;

/// <summary>
/// The bearer requirement on every operation that takes a credential (issue 19): the management API (/v1, a tsl_
/// license key), the query side (/v1/handshake, /v1/auth, a tsq_ token) and the Lattica surface (/api). Declared
/// on the operation, so Scalar and generated clients send the Authorization header instead of "No authentication".
/// </summary>
public static class OpenApiSecurity
{
    public const string Scheme = "bearer";

    public static Task RequireBearerAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var path = "/" + (context.Description.RelativePath ?? "").TrimStart('/');
        if (path.StartsWith("/v1/", StringComparison.Ordinal) || path.StartsWith("/api/", StringComparison.Ordinal))
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Scheme, context.Document)] = [] });
        }
        return Task.CompletedTask;
    }
}
