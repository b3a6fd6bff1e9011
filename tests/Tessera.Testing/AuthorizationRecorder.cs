using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Tessera.Testing;

/// <summary>
/// "Another server": a real HTTP listener (Kestrel) on its own loopback port that writes down the
/// Authorization and User-Agent headers of every request it receives and refuses them all with a 401 problem.
/// </summary>
public sealed class AuthorizationRecorder : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _authorizations = new();
    private readonly ConcurrentQueue<string> _userAgents = new();

    private AuthorizationRecorder(WebApplication app) => _app = app;

    /// <summary>Every request's Authorization header in arrival order ("" when a request had none).</summary>
    public IReadOnlyList<string> Authorizations => [.. _authorizations];

    /// <summary>Every request's User-Agent header in arrival order ("" when a request had none).</summary>
    public IReadOnlyList<string> UserAgents => [.. _userAgents];

    public Uri Url { get; private set; } = null!;

    public static async Task<AuthorizationRecorder> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var recorder = new AuthorizationRecorder(builder.Build());
        recorder._app.Run(context =>
        {
            recorder._authorizations.Enqueue(context.Request.Headers.Authorization.ToString());
            recorder._userAgents.Enqueue(context.Request.Headers.UserAgent.ToString());
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.ContentType = "application/problem+json";
            return context.Response.WriteAsync("""{"status":401,"code":"license_key_invalid","detail":"Not this server's key."}""");
        });
        await recorder._app.StartAsync();
        recorder.Url = new Uri(recorder._app.Urls.Single()); // the port Kestrel was given

        return recorder;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
