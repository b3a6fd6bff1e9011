using System.Net;

namespace Tessera.Client;

/// <summary>
/// Retries only where repeating cannot change anything twice: a read (GET, HEAD) that failed in
/// transit or got 408/502/503/504, and any call whose connection could not be opened (nothing was
/// sent). A write that reached the server is never repeated: a second token issue would mint a
/// second secret. Waits grow exponentially with jitter; a Retry-After of at most 5 seconds is honoured.
/// </summary>
internal sealed class RetryHandler(int maxAttempts) : DelegatingHandler
{
    private static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(5);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            HttpResponseMessage response;
            try
            {
                response = await base.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException e) when (attempt < maxAttempts && (NothingWasSent(e) || IsRead(request)))
            {
                await Task.Delay(Backoff(attempt), cancellationToken);
                continue;
            }
            if (attempt >= maxAttempts || !IsRead(request) || !IsTransient(response.StatusCode))
            {
                return response;
            }
            var wait = response.Headers.RetryAfter?.Delta is { } delta && delta <= MaxRetryAfter ? delta : Backoff(attempt);
            response.Dispose();
            await Task.Delay(wait, cancellationToken);
        }
    }

    internal static bool NothingWasSent(HttpRequestException e) =>
        e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError;

    private static bool IsRead(HttpRequestMessage request) => request.Method == HttpMethod.Get || request.Method == HttpMethod.Head;

    private static bool IsTransient(HttpStatusCode status) => status is HttpStatusCode.RequestTimeout or HttpStatusCode.BadGateway
        or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    private static TimeSpan Backoff(int attempt) =>
        BaseDelay * Math.Pow(2, attempt - 1) + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 100));
}
