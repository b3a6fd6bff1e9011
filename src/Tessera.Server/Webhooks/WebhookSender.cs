using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Tessera.Core;
using Tessera.Core.Webhooks;

namespace Tessera.Server.Webhooks;

/// <summary>
/// Makes one attempt of a delivery: the Standard Webhooks request (API.md §7) over a client that follows no
/// redirect, uses no proxy, keeps no cookie, and connects only to addresses <see cref="WebhookDestinations"/> allows,
/// checked on each address the name resolves to at connection time (a DNS answer that changed since the endpoint was
/// saved cannot reach an internal host). A pooled connection is reused only for the host it was checked for.
/// </summary>
public sealed class WebhookSender : IDisposable
{
    private readonly HttpClient _client;
    private readonly IWebhookSecretProtector _secrets;
    private readonly TimeProvider _time;

    public WebhookSender(WebhookDestinations destinations, IWebhookSecretProtector secrets, TimeProvider time)
    {
        _secrets = secrets;
        _time = time;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            ConnectTimeout = WebhookOptions.AttemptTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectCallback = async (context, cancellationToken) =>
            {
                var host = context.DnsEndPoint.Host;
                var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
                    ? [literal]
                    : await Dns.GetHostAddressesAsync(host, cancellationToken);
                var allowed = addresses.Where(destinations.IsAllowed).ToArray();
                if (allowed.Length == 0)
                {
                    throw new HttpRequestException(HttpRequestError.ConnectionError, "The destination resolves to no address webhooks may reach.");
                }
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd("Tessera-Webhooks/1");
    }

    /// <summary>Attempts <paramref name="delivery"/>; the answer's status, or null when there was none (refused, forbidden, timed out).</summary>
    public async Task<int?> SendAsync(DueDelivery delivery, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var body = Body(delivery);
        var timestamp = now.ToUnixTimeSeconds();
        var secrets = new List<string> { _secrets.Unprotect(delivery.ProtectedSecret) };
        if (delivery.ProtectedPreviousSecret is { } previous && delivery.PreviousSecretUntil > now)
        {
            secrets.Add(_secrets.Unprotect(previous));
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("webhook-id", delivery.EventId);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSignature.Sign(delivery.EventId, timestamp, body, secrets));
        using var timeout = new CancellationTokenSource(WebhookOptions.AttemptTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            // Headers only: the receiver's body is not Tessera's business, and reading it could be made to hang.
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            return (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or SocketException ||
                                  (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return null;
        }
    }

    /// <summary><c>{"type", "timestamp", "data"}</c>, the same bytes on every attempt.</summary>
    public static byte[] Body(DueDelivery delivery)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", delivery.Type);
            writer.WriteString("timestamp", Instants.Format(delivery.OccurredAt));
            writer.WritePropertyName("data");
            writer.WriteRawValue(delivery.Data, skipInputValidation: true);
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    public void Dispose() => _client.Dispose();
}
