using Microsoft.AspNetCore.Builder;

namespace Tessera.Gateway;

/// <summary>Puts Tessera's decision into the request pipeline.</summary>
public static class TesseraGatewayApplicationBuilderExtensions
{
    /// <summary>
    /// Decides every request to an endpoint marked with <see cref="TesseraGatewayEndpointExtensions.RequireTesseraToken{TBuilder}"/>
    /// or a YARP route with <c>TesseraWorkload</c> metadata. Place it after routing (a <c>WebApplication</c> routes
    /// first on its own) and before the endpoints; without it, marked endpoints are not guarded.
    /// </summary>
    public static IApplicationBuilder UseTesseraGateway(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.UseMiddleware<TesseraGatewayMiddleware>();
    }
}
