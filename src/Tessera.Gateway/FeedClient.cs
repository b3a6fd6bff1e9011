using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Tessera.Contracts;
using Tessera.Core.Storage;

namespace Tessera.Gateway;

/// <summary>The three calls of the gateway feed (API.md §9), with the gateway key.</summary>
internal sealed class FeedClient : IDisposable
{
    private readonly HttpClient _http;

    public FeedClient(TesseraGatewayOptions options)
    {
        var url = options.Url ?? throw new InvalidOperationException("Tessera:Url is not set.");
        _http = new HttpClient(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(2),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
        })
        {
            BaseAddress = url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/"),
            // Each call carries its own deadline.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.GatewayKey);
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("tessera-gateway", typeof(FeedClient).Assembly.GetName().Version?.ToString(3)));
    }

    /// <summary>Streams the snapshot into <paramref name="table"/>; returns its position.</summary>
    public async Task<long> SnapshotAsync(TesseraReplica.Table table, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync("v1/gateway/snapshot", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(body);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }
            var entry = JsonSerializer.Deserialize(line, TesseraJsonContext.Default.GatewayEntry)
                ?? throw new FormatException("An empty line in the gateway snapshot.");
            if (entry.Position is { } position)
            {
                return position;
            }
            table.Apply(entry);
        }
        // A snapshot cut short (Tessera stopped mid-stream) has no position line: not a snapshot at all.
        throw new IOException("The gateway snapshot ended before its position line.");
    }

    /// <summary>The changes after <paramref name="after"/>; null when the position expired (410: take a new snapshot).</summary>
    public async Task<GatewayChangesResponse?> ChangesAsync(long after, int waitSeconds, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Tessera answers by the end of the wait; a Tessera that does not is treated as gone.
        deadline.CancelAfter(TimeSpan.FromSeconds(waitSeconds + 5));
        try
        {
            using var response = await _http.GetAsync($"v1/gateway/changes?after={after}&wait={waitSeconds}", deadline.Token);
            if (response.StatusCode == HttpStatusCode.Gone)
            {
                return null;
            }
            await EnsureSuccessAsync(response, deadline.Token);
            return await response.Content.ReadFromJsonAsync(TesseraJsonContext.Default.GatewayChangesResponse, deadline.Token)
                ?? throw new FormatException("An empty gateway changes answer.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Tessera did not answer a long poll within {waitSeconds + 5} s.");
        }
    }

    /// <summary>Reports uses (at most 1,000 items a call).</summary>
    public async Task ReportUsageAsync(IReadOnlyList<TokenUsage> usage, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(10));
        var request = new GatewayUsageRequest([.. usage.Select(u => new GatewayUsageItem(u.TokenId, u.Uses, u.LastUsedAt))]);
        using var response = await _http.PostAsJsonAsync("v1/gateway/usage", request, TesseraJsonContext.Default.GatewayUsageRequest, deadline.Token);
        await EnsureSuccessAsync(response, deadline.Token);
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        var code = "";
        try
        {
            var problem = await response.Content.ReadFromJsonAsync(TesseraJsonContext.Default.ProblemResponse, cancellationToken);
            code = problem?.Code ?? "";
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or HttpRequestException)
        {
            // Not a problem body (a proxy in between): the status says enough.
        }
        throw new FeedRefusedException((int)response.StatusCode, code);
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>Tessera refused a feed call (a key without the gateway scope, revoked, …): the status and problem code.</summary>
internal sealed class FeedRefusedException(int status, string code)
    : Exception($"Tessera answered {status} {code} to the gateway feed.")
{
    public int Status { get; } = status;

    public string Code { get; } = code;
}
