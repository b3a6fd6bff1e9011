using System.Net;
using System.Text;
using Tessera.Contracts;
using Tessera.Core.Secrets;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>No plaintext secret in the database file, the logs, or any error response; hashes only.</summary>
public sealed class SecretHygieneTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    [Fact]
    public async Task Secrets_never_reach_the_database_file_the_logs_or_error_bodies()
    {
        var account = await app.NewAccountAsync("hygiene-account-marker");
        var workload = await account.CreateWorkloadAsync("hygiene-workload-marker");
        var token = await account.CreateTokenAsync("hygiene-token-marker", workload.Id);
        var key = await (await account.Client.PostJsonAsync("/v1/license-keys", new { name = "hygiene-key-marker" })).ReadAsync<CreatedLicenseKeyResponse>(HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.OK, (await app.HandshakeAsync(token.Token)).StatusCode);
        await app.ClientWith(key.Key).GetAsync("/v1/account");

        // Refusals must not echo what was presented, even when it is almost a secret.
        var nearMiss = token.Token[..^1] + (token.Token[^1] == 'x' ? 'y' : 'x');
        var echoes = new List<string>
        {
            await (await app.HandshakeAsync(nearMiss)).Content.ReadAsStringAsync(),
            await (await app.ClientWith(nearMiss).GetAsync("/v1/tokens")).Content.ReadAsStringAsync(),
            await (await account.Client.SendRawAsync(HttpMethod.Post, "/v1/tokens", "{\"name\":\"" + token.Token + "\",")).Content.ReadAsStringAsync(),
            await (await account.Client.SendRawAsync(HttpMethod.Post, "/v1/tokens", "{\"name\":\"x\",\"" + token.Token + "\":1}")).Content.ReadAsStringAsync(),
        };
        await account.PatchTokenAsync(token.Id, new { status = "cancelled" });
        echoes.Add(await (await app.HandshakeAsync(token.Token)).Content.ReadAsStringAsync());

        var secrets = new[] { token.Token, key.Key, account.LicenseKey, app.BootstrapKey, nearMiss };
        foreach (var body in echoes)
        {
            foreach (var secret in secrets)
            {
                Assert.DoesNotContain(secret, body, StringComparison.Ordinal);
            }
        }
        Assert.Contains("ts?_[redacted]", echoes[3], StringComparison.Ordinal); // the unknown field is still named

        var logs = app.Logs.All;
        Assert.Contains("Applied schema migrations", logs, StringComparison.Ordinal); // the capture works
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
            Assert.DoesNotContain(secret[4..], logs, StringComparison.Ordinal);
        }

        var stored = ReadDatabaseFiles();
        Assert.Contains("hygiene-token-marker", stored, StringComparison.Ordinal); // the scan sees plaintext fields
        Assert.Contains("hygiene-key-marker", stored, StringComparison.Ordinal);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
            Assert.DoesNotContain(secret[4..^6], stored, StringComparison.Ordinal);
        }
        // What is stored is the SHA-256: its bytes are in the file.
        var hash = SecretHash.Of(token.Token).ToArray();
        Assert.True(IndexOf(ReadDatabaseBytes(), hash) >= 0, "the token's SHA-256 is stored");
    }

    private string ReadDatabaseFiles() => Encoding.Latin1.GetString(ReadDatabaseBytes());

    private byte[] ReadDatabaseBytes()
    {
        var bytes = new List<byte>();
        foreach (var path in new[] { app.DatabasePath, app.DatabasePath + "-wal" }.Where(File.Exists))
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            bytes.AddRange(copy.ToArray());
        }
        return [.. bytes];
    }

    private static int IndexOf(byte[] haystack, byte[] needle) =>
        haystack.AsSpan().IndexOf(needle);
}
