using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Tessera.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Gateway;

/// <summary>The gateway feed as a gateway reads it (API.md §9): keys holding the gateway scope, snapshots, changes, a replica.</summary>
internal static class GatewayFeed
{
    /// <summary>A key of <paramref name="account"/> holding only the gateway scope, bound to <paramref name="workloadIds"/> when given.</summary>
    public static async Task<HttpClient> GatewayClientAsync(this TesseraApp app, TestAccount account, params string[] workloadIds) =>
        app.ClientWith((await (await account.Client.PostJsonAsync("/v1/license-keys", workloadIds.Length == 0
                ? new { name = "gateway", scopes = new[] { "gateway" } }
                : new { name = "gateway", scopes = new[] { "gateway" }, workloadIds = (string[]?)workloadIds }))
            .ReadAsync<CreatedLicenseKeyResponse>(HttpStatusCode.Created)).Key);

    /// <summary>GET /v1/gateway/snapshot: the token lines and the position of the last line, every line parsed with the contract type.</summary>
    public static async Task<(List<GatewayEntry> Tokens, long Position)> SnapshotAsync(this HttpClient gateway)
    {
        using var response = await gateway.GetAsync("/v1/gateway/snapshot", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Parse).ToList();
        var last = lines[^1];
        Assert.True(last.Position is not null && last.TokenId is null, $"The last line is not the position: {text[Math.Max(0, text.Length - 200)..]}");
        Assert.All(lines[..^1], l => Assert.Null(l.Position));
        return (lines[..^1], last.Position!.Value);
    }

    /// <summary>GET /v1/gateway/changes?after=…&amp;wait=…, asserted 200.</summary>
    public static async Task<GatewayChangesResponse> ChangesAsync(this HttpClient gateway, long after, int wait = 0, CancellationToken cancellationToken = default) =>
        await (await gateway.GetAsync($"/v1/gateway/changes?after={after}&wait={wait}", cancellationToken)).ReadAsync<GatewayChangesResponse>();

    public static GatewayEntry Parse(string line) => JsonSerializer.Deserialize(line, TesseraJsonContext.Default.GatewayEntry)!;

    /// <summary>What the feed promises to send for a secret: base64url of its SHA-256, no padding.</summary>
    public static string HashOf(string secret) => Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(secret)))
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
