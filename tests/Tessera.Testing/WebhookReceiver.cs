using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StandardWebhooks;
using StandardWebhooks.Diagnostics;

namespace Tessera.Testing;

/// <summary>
/// A provider's webhook receiver, played by a real Kestrel server on loopback. Each path is one receiver: it
/// answers as told (<see cref="Answer"/>: a status, a redirect, a hang until the caller gives up, or a number of
/// failures before 200) and keeps every request it got, with whether the <c>StandardWebhooks</c> package (an
/// implementation of the specification other than Tessera's) verified its signature with the secrets given
/// for that path (<see cref="Trust"/>).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Behaviour> _behaviours = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string[]> _secrets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _hanging = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _released = new(StringComparer.Ordinal);

    private WebhookReceiver(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public ConcurrentQueue<Received> Requests { get; } = new();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/{name}", receiver.ReceiveAsync);
        await app.StartAsync(TestContext.Current.CancellationToken);
        receiver.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return receiver;
    }

    /// <summary>A fresh path answering 200 after <paramref name="failures"/> answers of <paramref name="status"/>; returns its URL.</summary>
    public string Answer(string name, int status = 200, int failures = 0, string? redirectTo = null, bool hang = false)
    {
        _behaviours[name] = new Behaviour(status, failures, redirectTo, hang);
        return $"{BaseUrl}/{name}";
    }

    /// <summary>The secrets a path's signatures are verified with (any one matching passes).</summary>
    public void Trust(string name, params string[] secrets) => _secrets[name] = secrets;

    public IReadOnlyList<Received> To(string name) => [.. Requests.Where(r => r.Name == name)];

    /// <summary>
    /// Ends every request held open on <paramref name="name"/> and makes it answer 200 from now on: a test that hangs a path
    /// leaves no attempt in flight for the next test's delivery run to wait on (the server's attempt timeout runs on its
    /// fake clock, which that test may never move).
    /// </summary>
    public void Release(string name)
    {
        _behaviours[name] = new Behaviour(200, 0, null, false);
        _released.GetOrAdd(name, _ => new CancellationTokenSource()).Cancel();
    }

    /// <summary>How many requests to <paramref name="name"/> are being held open right now.</summary>
    public int Hanging(string name) => _hanging.GetValueOrDefault(name);

    private async Task<IResult> ReceiveAsync(string name, HttpRequest request, CancellationToken aborted)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(aborted);
        var verifiedBy = new List<string>();
        foreach (var secret in _secrets.GetValueOrDefault(name, []))
        {
            try
            {
                new StandardWebhook(secret).Verify(body, request.Headers);
                verifiedBy.Add(secret);
            }
            catch (WebhookVerificationException)
            {
            }
        }
        var received = new Received(name, request.Headers["webhook-id"].ToString(), request.Headers["webhook-timestamp"].ToString(),
            request.Headers["webhook-signature"].ToString(), body, verifiedBy);
        Requests.Enqueue(received);
        var behaviour = _behaviours.GetValueOrDefault(name) ?? new Behaviour(404, 0, null, false);
        if (behaviour.Hang)
        {
            _hanging.AddOrUpdate(name, 1, (_, n) => n + 1);
            try
            {
                using var held = CancellationTokenSource.CreateLinkedTokenSource(aborted,
                    _released.GetOrAdd(name, _ => new CancellationTokenSource()).Token);
                await Task.Delay(Timeout.Infinite, held.Token);
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                _hanging.AddOrUpdate(name, 0, (_, n) => n - 1);
            }
            return Results.Empty;
        }
        if (behaviour.RedirectTo is { } target)
        {
            return Results.Redirect(target, permanent: false, preserveMethod: true);
        }
        return To(name).Count > behaviour.Failures ? Results.Ok() : Results.StatusCode(behaviour.Status);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        foreach (var released in _released.Values)
        {
            released.Dispose();
        }
    }

    private sealed record Behaviour(int Status, int Failures, string? RedirectTo, bool Hang);

    /// <summary>One request as received; <see cref="VerifiedBy"/> lists the trusted secrets whose signature it carried.</summary>
    public sealed record Received(string Name, string Id, string Timestamp, string Signature, string Body, IReadOnlyList<string> VerifiedBy)
    {
        public JsonObject Json => JsonNode.Parse(Body)!.AsObject();

        public string Type => (string)Json["type"]!;
    }
}
