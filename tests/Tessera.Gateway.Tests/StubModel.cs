using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Tessera.Gateway.Tests;

/// <summary>
/// A stand-in for a model on a loopback Kestrel: records the headers of every request it gets and answers
/// <c>POST /v1/chat</c> with a long streamed answer. <c>POST /v1/stream</c> writes its first piece, then waits until
/// the test says it received it (<see cref="ReleaseStream"/>) before writing the rest: an answer buffered anywhere in
/// between would never arrive.
/// </summary>
public sealed class StubModel : IAsyncDisposable
{
    public const int Pieces = 50;

    /// <summary>The request's path, recorded beside its headers under a name no header can have.</summary>
    public const string PathKey = ":path";

    private readonly WebApplication _app;
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private StubModel(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Every request's headers, in arrival order.</summary>
    public ConcurrentQueue<IReadOnlyDictionary<string, string>> Requests { get; } = new();

    public static string Piece(int i) => $"piece {i:D3} of a long answer, streamed as the model thinks of it.\n";

    public static async Task<StubModel> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var stub = new StubModel(app);
        app.Use(async (context, next) =>
        {
            var seen = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            seen[PathKey] = context.Request.Path.Value ?? "";
            stub.Requests.Enqueue(seen);
            await next(context);
        });
        app.MapGet("/v1/ping", () => "pong");
        app.MapPost("/v1/chat", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain";
            for (var i = 0; i < Pieces; i++)
            {
                await context.Response.WriteAsync(Piece(i), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        });
        app.MapPost("/v1/stream", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync(Piece(0), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await stub._release.Task.WaitAsync(context.RequestAborted);
            for (var i = 1; i < Pieces; i++)
            {
                await context.Response.WriteAsync(Piece(i), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        });
        await app.StartAsync();
        var address = app.Urls.Single();
        stub.BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return stub;
    }

    /// <summary>Lets the waiting <c>/v1/stream</c> answer write the rest.</summary>
    public void ReleaseStream()
    {
        _release.TrySetResult();
    }

    public void ResetStream() => _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Count => Requests.Count;

    public async ValueTask DisposeAsync()
    {
        _release.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
