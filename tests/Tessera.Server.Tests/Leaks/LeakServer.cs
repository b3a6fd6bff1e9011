using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Leaks;

/// <summary>
/// A Tessera server (per test class) whose GitHub key list is a <see cref="GitHubKeyServer"/> on loopback, with
/// <c>Tessera:Leaks:Action</c> set by the variant; requests carry a client address (<see cref="ClientAddressHeader"/>)
/// so the per-address failure budget can be exercised.
/// </summary>
public abstract class LeakServer(bool postgres, string action) : IAsyncLifetime
{
    public GitHubKeyServer Keys { get; private set; } = null!;

    public TesseraApp App { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Keys = await GitHubKeyServer.StartAsync();
        App = await CreateAsync(new Dictionary<string, string>
        {
            ["Tessera:Leaks:GitHubKeysUrl"] = Keys.KeysUrl,
            ["Tessera:Leaks:Action"] = action,
        });
    }

    /// <summary>This server, for a test class's constructor; on PostgreSQL skips (or, under CI=true, fails) the test without one.</summary>
    public LeakServer Require()
    {
        if (postgres)
        {
            TestPostgres.Require();
        }
        return this;
    }

    private async Task<TesseraApp> CreateAsync(Dictionary<string, string> settings)
    {
        if (!postgres)
        {
            return new TesseraApp { Settings = settings, Replace = ClientAddressHeader.Register };
        }
        var app = new PostgresTesseraApp { Settings = settings, Replace = ClientAddressHeader.Register };
        await app.InitializeAsync();
        return app;
    }

    /// <summary>POST /v1/leaks/github with <paramref name="body"/> as sent, and the signature headers given (none when null).</summary>
    public async Task<HttpResponseMessage> PostGitHubAsync(byte[] body, string? keyId, string? signature, string address = ClientAddressHeader.DefaultIp)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/leaks/github") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (keyId is not null)
        {
            request.Headers.Add("Github-Public-Key-Identifier", keyId);
        }
        if (signature is not null)
        {
            request.Headers.Add("Github-Public-Key-Signature", signature);
        }
        request.Headers.Add(ClientAddressHeader.Name, address);
        return await App.ClientWith(null).SendAsync(request, TestContext.Current.CancellationToken);
    }

    /// <summary>A batch signed with the current published key, as GitHub sends it.</summary>
    public Task<HttpResponseMessage> PostSignedAsync(byte[] body)
    {
        var (keyId, signature) = Keys.Sign(body);
        return PostGitHubAsync(body, keyId, signature);
    }

    /// <summary>GitHub's body: a JSON array of <c>{token, type, url, source}</c>.</summary>
    public static byte[] Batch(params (string Token, string Url)[] items) =>
        JsonSerializer.SerializeToUtf8Bytes(items.Select(i => new Dictionary<string, string>
        {
            ["token"] = i.Token,
            ["type"] = "tessera_query_token",
            ["url"] = i.Url,
            ["source"] = "content",
        }));

    /// <summary>GitHub's token_hash: SHA-256 of the token, lower-case hex.</summary>
    public static string HashHex(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Keys.DisposeAsync();
    }

    public sealed class Sqlite() : LeakServer(postgres: false, "cancel");

    public sealed class Postgres() : LeakServer(postgres: true, "cancel");

    public sealed class SqliteReportOnly() : LeakServer(postgres: false, "report");

    public sealed class PostgresReportOnly() : LeakServer(postgres: true, "report");
}
