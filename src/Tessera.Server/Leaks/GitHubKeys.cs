using System.Security.Cryptography;
using System.Text.Json;
using Tessera.Core;
using Tessera.Server.Http;

namespace Tessera.Server.Leaks;

/// <summary>
/// The public keys GitHub signs secret scanning reports with (<c>Tessera:Leaks:GitHubKeysUrl</c>), fetched when
/// first needed, kept for <see cref="LeakSettings.KeysMaxAge"/>, and fetched again when a report names a key id
/// the list lacks (GitHub rotates by publishing the next key first), but never more often than
/// <see cref="LeakSettings.KeysRefetchInterval"/>: an unauthenticated caller inventing ids cannot make the server
/// hammer GitHub. Time comes from <see cref="TimeProvider"/>, so the bound is tested without waiting.
/// </summary>
public sealed class GitHubKeys(IHttpClientFactory clients, LeakSettings settings, TimeProvider time, ILogger<GitHubKeys> logger) : IDisposable
{
    public const string ClientName = "github-keys";

    private readonly SemaphoreSlim _fetching = new(1, 1);
    private volatile Snapshot? _keys;
    private long? _lastFetch;

    /// <summary>Checks the DER ECDSA P-256 / SHA-256 signature <paramref name="signature"/> (base64) of <paramref name="body"/> by key <paramref name="keyId"/>.</summary>
    public async Task<SignatureCheck> VerifyAsync(string? keyId, string? signature, byte[] body, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(keyId) || string.IsNullOrWhiteSpace(signature))
        {
            return SignatureCheck.Missing;
        }
        var der = new byte[signature.Length];
        if (!Convert.TryFromBase64String(signature.Trim(), der, out var length))
        {
            return SignatureCheck.Invalid;
        }
        var key = await FindAsync(keyId, cancellationToken);
        if (key is null)
        {
            return SignatureCheck.UnknownKey;
        }
        // One ECDsa per check: instances are not documented as safe to share between threads, and importing 91 bytes is cheap.
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(key, out _);
        try
        {
            return ecdsa.VerifyData(body, der.AsSpan(0, length), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)
                ? SignatureCheck.Valid
                : SignatureCheck.Invalid;
        }
        catch (CryptographicException)
        {
            return SignatureCheck.Invalid;
        }
    }

    private async Task<byte[]?> FindAsync(string keyId, CancellationToken cancellationToken)
    {
        if (_keys is { } current && Fresh(current) && current.Keys.TryGetValue(keyId, out var known))
        {
            return known;
        }
        await _fetching.WaitAsync(cancellationToken);
        try
        {
            // Another report may have fetched while this one waited.
            current = _keys;
            if (current is not null && Fresh(current) && current.Keys.TryGetValue(keyId, out known))
            {
                return known;
            }
            if (_lastFetch is { } last && time.GetElapsedTime(last) < settings.KeysRefetchInterval)
            {
                return current is null ? throw Unavailable() : current.Keys.GetValueOrDefault(keyId);
            }
            _lastFetch = time.GetTimestamp();
            try
            {
                current = _keys = await FetchAsync(cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // Only the server's log says why; the caller (GitHub) learns 503 and retries later.
                logger.LogWarning(e, "Could not fetch GitHub's secret scanning keys from {Url}.", settings.GitHubKeysUrl);
                return current is null ? throw Unavailable() : current.Keys.GetValueOrDefault(keyId);
            }
            return current.Keys.GetValueOrDefault(keyId);
        }
        finally
        {
            _fetching.Release();
        }
    }

    private bool Fresh(Snapshot snapshot) => time.GetElapsedTime(snapshot.FetchedAt) < settings.KeysMaxAge;

    /// <summary>Reads <c>{"public_keys": [{"key_identifier", "key" (PEM), "is_current"}]}</c>; every listed P-256 key is accepted (old and next overlap while GitHub rotates).</summary>
    private async Task<Snapshot> FetchAsync(CancellationToken cancellationToken)
    {
        using var client = clients.CreateClient(ClientName);
        using var response = await client.GetAsync(settings.GitHubKeysUrl, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var item in document.RootElement.GetProperty("public_keys").EnumerateArray())
        {
            var id = item.GetProperty("key_identifier").GetString();
            var pem = item.GetProperty("key").GetString();
            if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(pem))
            {
                continue;
            }
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportFromPem(pem);
            if (ecdsa.KeySize == 256)
            {
                keys[id] = ecdsa.ExportSubjectPublicKeyInfo();
            }
        }
        return new Snapshot(keys, time.GetTimestamp());
    }

    private static HttpProblemException Unavailable() =>
        new(StatusCodes.Status503ServiceUnavailable, ErrorCodes.LeakKeysUnavailable,
            "The keys that sign GitHub's reports could not be fetched; retry later.");

    public void Dispose() => _fetching.Dispose();

    private sealed record Snapshot(Dictionary<string, byte[]> Keys, long FetchedAt);
}
