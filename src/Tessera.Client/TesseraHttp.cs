using System.Net.Http.Headers;
using System.Reflection;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Tessera.Contracts;

namespace Tessera.Client;

/// <summary>
/// One call to Tessera for both clients: the bearer on the request (never in the URL), a deadline over
/// the whole call including retries, and every refusal turned into a <see cref="TesseraApiException"/>.
/// </summary>
internal sealed class TesseraHttp : IDisposable
{
    /// <summary><c>tessera-dotnet/1.2.3</c>: which SDK and version called, for the server's logs and its operators.</summary>
    internal static readonly ProductInfoHeaderValue UserAgent = new("tessera-dotnet",
        (typeof(TesseraHttp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0]);

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly string _bearer;
    private readonly TimeSpan _timeout;
    private readonly Uri _base;

    public TesseraHttp(HttpClient http, bool ownsHttp, string bearer, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentException.ThrowIfNullOrWhiteSpace(bearer);
        if (http.BaseAddress is null)
        {
            throw new ArgumentException("The HttpClient needs a BaseAddress (the Tessera server's URL).", nameof(http));
        }
        // Relative paths resolve under the base's own path only when it ends with a slash.
        _base = http.BaseAddress.AbsoluteUri.EndsWith('/') ? http.BaseAddress : new Uri(http.BaseAddress.AbsoluteUri + "/");
        _http = http;
        _ownsHttp = ownsHttp;
        _bearer = bearer;
        _timeout = timeout;
    }

    /// <summary>An HttpClient for <paramref name="baseAddress"/> with the retry policy; the deadline is applied per call.</summary>
    public static HttpClient CreateHttpClient(Uri baseAddress, int maxAttempts) =>
        new(new RetryHandler(maxAttempts) { InnerHandler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) } })
        {
            BaseAddress = baseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };

    public async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> result,
        CancellationToken cancellationToken, long? ifMatch = null)
    {
        using var response = await SendCoreAsync(method, path, content, ifMatch, cancellationToken);
        return await response.Content.ReadFromJsonAsync(result, cancellationToken)
               ?? throw new TesseraApiException(response.StatusCode, "empty_response", "Tessera answered without a body.");
    }

    public async Task SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken, long? ifMatch = null)
    {
        using var response = await SendCoreAsync(method, path, content, ifMatch, cancellationToken);
    }

    public static HttpContent Json<T>(T value, JsonTypeInfo<T> type) => JsonContent.Create(value, type);

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private async Task<HttpResponseMessage> SendCoreAsync(HttpMethod method, string path, HttpContent? content, long? ifMatch, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(_base, path)) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _bearer);
        request.Headers.UserAgent.Add(UserAgent);
        if (ifMatch is { } version)
        {
            request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{version}\""));
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, deadline.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Tessera did not answer {method} {path} within {_timeout.TotalSeconds:0.#} s.", e);
        }
        if (response.IsSuccessStatusCode)
        {
            return response;
        }
        using (response)
        {
            throw await RefusalAsync(response, cancellationToken);
        }
    }

    private static async Task<TesseraApiException> RefusalAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ProblemResponse? problem = null;
        if (response.Content.Headers.ContentType?.MediaType is "application/problem+json" or "application/json")
        {
            try
            {
                problem = await response.Content.ReadFromJsonAsync(TesseraJsonContext.Default.ProblemResponse, cancellationToken);
            }
            catch (JsonException)
            {
                // Not a Tessera problem after all; described by its status below.
            }
        }
        return new TesseraApiException(response.StatusCode,
            problem?.Code ?? $"http_{(int)response.StatusCode}",
            problem?.Detail ?? problem?.Title ?? response.ReasonPhrase,
            problem?.Errors,
            problem?.TraceId);
    }
}
