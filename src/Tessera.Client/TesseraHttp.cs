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

    /// <summary>
    /// Sends a request whose answer is read as it arrives (a CSV export or import): the deadline covers the answer's
    /// headers only, and a refusal throws as for any call. The caller disposes the response.
    /// </summary>
    public Task<HttpResponseMessage> SendStreamingAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendCoreAsync(request, $"{request.Method} {request.RequestUri}", HttpCompletionOption.ResponseHeadersRead, cancellationToken);

    public static HttpContent Json<T>(T value, JsonTypeInfo<T> type) => JsonContent.Create(value, type);

    /// <summary>A JSON merge patch (RFC 7396) of a Contracts update record: its absent fields are left out, its null ones sent as null.</summary>
    public static HttpContent MergePatch<T>(T value, JsonTypeInfo<T> type) =>
        JsonContent.Create(value, type, new System.Net.Http.Headers.MediaTypeHeaderValue("application/merge-patch+json"));

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    /// <summary>A request to <paramref name="path"/> (relative to the server) for <see cref="SendStreamingAsync"/>.</summary>
    public HttpRequestMessage Request(HttpMethod method, string path) => new(method, new Uri(_base, path));

    private async Task<HttpResponseMessage> SendCoreAsync(HttpMethod method, string path, HttpContent? content, long? ifMatch, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(_base, path)) { Content = content };
        if (ifMatch is { } version)
        {
            request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{version}\""));
        }
        return await SendCoreAsync(request, $"{method} {path}", HttpCompletionOption.ResponseContentRead, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendCoreAsync(HttpRequestMessage request, string what, HttpCompletionOption completion,
        CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _bearer);
        request.Headers.UserAgent.Add(UserAgent);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, completion, deadline.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Tessera did not answer {what} within {_timeout.TotalSeconds:0.#} s.", e);
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
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            try
            {
                problem = JsonSerializer.Deserialize(text, TesseraJsonContext.Default.ProblemResponse);
            }
            catch (JsonException)
            {
                problem = RowProblem(text);
            }
        }
        return new TesseraApiException(response.StatusCode,
            problem?.Code ?? $"http_{(int)response.StatusCode}",
            problem?.Detail ?? problem?.Title ?? response.ReasonPhrase,
            problem?.Errors,
            problem?.TraceId);
    }

    /// <summary>
    /// A bulk import's 422 lists its errors per row (<c>[{row, field, code, message}]</c>); they are given to the caller as
    /// <c>"row N: field"</c> → <c>"code: message"</c>. Null when the text is not such a problem either.
    /// </summary>
    private static ProblemResponse? RowProblem(string text)
    {
        try
        {
            if (System.Text.Json.Nodes.JsonNode.Parse(text) is not System.Text.Json.Nodes.JsonObject node)
            {
                return null;
            }
            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            foreach (var error in node["errors"] as System.Text.Json.Nodes.JsonArray ?? [])
            {
                var key = $"row {error?["row"]}: {error?["field"]}";
                errors[key] = [.. errors.GetValueOrDefault(key, []), $"{error?["code"]}: {error?["message"]}"];
            }
            return new ProblemResponse
            {
                Title = (string?)node["title"], Detail = (string?)node["detail"], Code = (string?)node["code"], Status = (int?)node["status"], Errors = errors,
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
