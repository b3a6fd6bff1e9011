using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// Gives requests to the in-memory test server (which has no socket, so no client address) the address in the
/// test-only header <see cref="Name"/>, or <see cref="DefaultIp"/>: as if they came over a real connection.
/// Use as a <see cref="TesseraApp.Replace"/>.
/// </summary>
public static class ClientAddressHeader
{
    public const string Name = "X-Test-Remote-Ip";
    public const string DefaultIp = "203.0.113.7";

    public static void Register(IServiceCollection services) => services.AddSingleton<IStartupFilter, Filter>();

    private sealed class Filter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = IPAddress.Parse(
                    context.Request.Headers.TryGetValue(Name, out var value) ? value.ToString() : DefaultIp);
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
