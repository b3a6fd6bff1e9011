using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tessera.Server.Tests.Leaks;

/// <summary>
/// GitHub's key list, played by a real Kestrel server on loopback: throwaway ECDSA P-256 keys generated here,
/// published as <c>{"public_keys": [{"key_identifier", "key" (PEM), "is_current"}]}</c>, and a count of fetches,
/// so a test can see the cache and the refetch bound at work. Signatures are made as GitHub makes them:
/// ECDSA with SHA-256 over the raw body, DER, base64.
/// </summary>
public sealed class GitHubKeyServer : IAsyncDisposable
{
    public const string CurrentKeyId = "90a421169f0a406205f1563a953312f0be898d3c7b6c06b681aa86a874555f4a";

    private readonly ConcurrentDictionary<string, ECDsa> _published = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _publishedPem = new(StringComparer.Ordinal);
    private readonly WebApplication _app;
    private int _fetches;

    private GitHubKeyServer(WebApplication app) => _app = app;

    public string KeysUrl { get; private set; } = "";

    /// <summary>How many times the key list was fetched.</summary>
    public int Fetches => Volatile.Read(ref _fetches);

    public static async Task<GitHubKeyServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new GitHubKeyServer(app);
        app.MapGet("/meta/public_keys/secret_scanning", server.List);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.KeysUrl = address + "/meta/public_keys/secret_scanning";
        server.Publish(CurrentKeyId);
        return server;
    }

    /// <summary>Generates a key and publishes it under <paramref name="keyId"/> (GitHub publishing its next key).</summary>
    public void Publish(string keyId) => _published[keyId] = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>Publishes a public key made elsewhere (PEM), e.g. by openssl, whose signatures this server cannot make.</summary>
    public void PublishPem(string keyId, string publicKeyPem) => _publishedPem[keyId] = publicKeyPem;

    /// <summary>The signature headers GitHub would send for <paramref name="body"/>, signed with <paramref name="keyId"/>'s key.</summary>
    public (string KeyId, string Signature) Sign(byte[] body, string keyId = CurrentKeyId) =>
        (keyId, SignWith(_published[keyId], body));

    /// <summary>A DER signature by <paramref name="key"/> (for forgeries: a key nobody published).</summary>
    public static string SignWith(ECDsa key, byte[] body) =>
        Convert.ToBase64String(key.SignData(body, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

    private IResult List()
    {
        Interlocked.Increment(ref _fetches);
        var keys = new JsonArray();
        foreach (var (id, key) in _published)
        {
            keys.Add(new JsonObject
            {
                ["key_identifier"] = id,
                ["key"] = key.ExportSubjectPublicKeyInfoPem(),
                ["is_current"] = id == CurrentKeyId,
            });
        }
        foreach (var (id, pem) in _publishedPem)
        {
            keys.Add(new JsonObject { ["key_identifier"] = id, ["key"] = pem, ["is_current"] = false });
        }
        return Results.Text(new JsonObject { ["public_keys"] = keys }.ToJsonString(), "application/json");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        foreach (var key in _published.Values)
        {
            key.Dispose();
        }
    }
}
