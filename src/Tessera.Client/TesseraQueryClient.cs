using Tessera.Contracts;

namespace Tessera.Client;

/// <summary>
/// The query side, as an end user's client uses it: presents one query token (<c>tsq_…</c>) and asks
/// whether it may query its workload. A refusal is a <see cref="TesseraApiException"/> with status 401
/// and one of the codes <c>token_missing</c>, <c>token_malformed</c>, <c>token_unknown</c>,
/// <c>token_cancelled</c>, <c>token_expired</c>, <c>token_unassigned</c>.
/// </summary>
public sealed class TesseraQueryClient : ITesseraQueryClient
{
    private readonly TesseraHttp _http;

    /// <summary>A client of its own for <paramref name="baseAddress"/>, presenting <paramref name="queryToken"/>.</summary>
    /// <param name="baseAddress">The Tessera server, e.g. <c>http://localhost:5000</c>.</param>
    /// <param name="queryToken">The end user's query token (<c>tsq_…</c>).</param>
    /// <param name="timeout">The most one call may take (default 30 seconds).</param>
    public TesseraQueryClient(Uri baseAddress, string queryToken, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        _http = new TesseraHttp(TesseraHttp.CreateHttpClient(baseAddress, 3), true, queryToken, timeout ?? TimeSpan.FromSeconds(30));
    }

    /// <summary>Uses <paramref name="httpClient"/> (its BaseAddress must be set); the caller keeps ownership of it.</summary>
    /// <param name="httpClient">A client whose BaseAddress is the Tessera server.</param>
    /// <param name="queryToken">The end user's query token (<c>tsq_…</c>).</param>
    /// <param name="timeout">The most one call may take (default 30 seconds).</param>
    public TesseraQueryClient(HttpClient httpClient, string queryToken, TimeSpan? timeout = null)
    {
        _http = new TesseraHttp(httpClient, false, queryToken, timeout ?? TimeSpan.FromSeconds(30));
    }

    /// <summary><c>POST /v1/handshake</c>: the token's id and name, its workload and its expiry, when it is usable now.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<HandshakeResponse> HandshakeAsync(CancellationToken cancellationToken = default) =>
        _http.SendAsync(HttpMethod.Post, "v1/handshake", null, TesseraJsonContext.Default.HandshakeResponse, cancellationToken);

    /// <summary>Releases the HttpClient this client created (not one it was given).</summary>
    public void Dispose() => _http.Dispose();
}
