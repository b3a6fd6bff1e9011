using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Contracts;
using Tessera.Core.Secrets;
using Tessera.Server.Leaks;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Leaks;

/// <summary>
/// API.md §11, GitHub's secret scanning partner call, through real HTTP with signatures made here by throwaway
/// P-256 keys that a real key endpoint publishes: a stored token is cancelled and labelled true_positive;
/// look-alikes and unknown tokens are false_positive and change nothing; every forgery (no signature, a bad
/// one, an unknown key, a tampered body) and every oversized batch is refused and changes nothing.
/// </summary>
public abstract class GitHubLeakTests(LeakServer server)
{
    private readonly TesseraApp _app = server.App;

    public sealed class OnSqlite(LeakServer.Sqlite server) : GitHubLeakTests(server), IClassFixture<LeakServer.Sqlite>;

    public sealed class OnPostgres(LeakServer.Postgres server) : GitHubLeakTests(server.Require()), IClassFixture<LeakServer.Postgres>;

    [Fact]
    public async Task A_signed_report_cancels_the_stored_token_in_its_account_marks_it_and_says_true_positive()
    {
        var account = await _app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama");
        var token = await account.CreateTokenAsync("alice", workload.Id);
        Assert.Equal(HttpStatusCode.OK, (await _app.HandshakeAsync(token.Token)).StatusCode); // works before the report
        var lookAlike = BadChecksum(token.Token);
        var unknown = SecretFormat.Generate(SecretKind.QueryToken);
        const string url = "https://github.com/someone/app/blob/abc123/.env";
        _app.Time.Advance(TimeSpan.FromMinutes(1));

        var answer = await (await server.PostSignedAsync(LeakServer.Batch((token.Token, url), (lookAlike, url + "#2"), (unknown, url + "#3"))))
            .ReadAsync<List<GitHubLeakVerdict>>();

        Assert.Equal(
            [
                new GitHubLeakVerdict(LeakServer.HashHex(token.Token), "tessera_query_token", "true_positive"),
                new GitHubLeakVerdict(LeakServer.HashHex(lookAlike), "tessera_query_token", "false_positive"),
                new GitHubLeakVerdict(LeakServer.HashHex(unknown), "tessera_query_token", "false_positive"),
            ],
            answer);
        var after = await account.GetTokenAsync(token.Id);
        Assert.Equal(("cancelled", "cancelled", 2L), (after.Status, after.State, after.Version));
        Assert.Equal(new TokenLeakResponse(_app.Time.GetUtcNow(), url, "content"), after.Leak);
        await (await _app.HandshakeAsync(token.Token)).ProblemAsync(HttpStatusCode.Unauthorized, "token_cancelled");

        var history = (await account.AuditAsync($"?objectId={token.Id}")).Items;
        // Both entries of the report share its instant (their order within it is the ids'), after the creation.
        Assert.Equal(["token.cancelled", "token.leaked"], history.Take(2).Select(e => e.Action).Order(StringComparer.Ordinal));
        Assert.Equal("token.created", history[2].Action);
        var leaked = history.Single(e => e.Action == "token.leaked");
        var cancelled = history.Single(e => e.Action == "token.cancelled");
        Assert.Equal(("secret_scanning", "github", ClientAddressHeader.DefaultIp), (leaked.ActorType, leaked.ActorId, leaked.ClientIp));
        Assert.Equal(url, leaked.After!.Value.GetProperty("url").GetString());
        Assert.Equal("content", leaked.After!.Value.GetProperty("source").GetString());
        Assert.Equal("cancel", leaked.After!.Value.GetProperty("action").GetString());
        Assert.Equal("token.leaked", cancelled.After!.Value.GetProperty("reason").GetString());
        Assert.Equal(("secret_scanning", "github"), (cancelled.ActorType, cancelled.ActorId));
        Assert.Equal(_app.Time.GetUtcNow(), leaked.At);
        var trail = System.Text.Json.JsonSerializer.Serialize(history);
        Assert.DoesNotContain(token.Token, trail, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Token[4..], trail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_report_signed_by_openssl_with_a_published_pem_key_is_accepted()
    {
        // Independent of .NET's ECDsa: the key, its PEM and the DER signature come from openssl, as GitHub's would from its own stack.
        var directory = Directory.CreateTempSubdirectory("tessera-openssl-").FullName;
        try
        {
            var account = await _app.NewAccountAsync();
            var token = await account.CreateTokenAsync("openssl");
            var body = LeakServer.Batch((token.Token, "https://github.com/a/openssl"));
            var (key, pub, data, signature) = (Path.Combine(directory, "key.pem"), Path.Combine(directory, "pub.pem"),
                Path.Combine(directory, "body.json"), Path.Combine(directory, "body.sig"));
            await File.WriteAllBytesAsync(data, body, TestContext.Current.CancellationToken);
            await OpenSslAsync("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key);
            await OpenSslAsync("ec", "-in", key, "-pubout", "-out", pub);
            await OpenSslAsync("dgst", "-sha256", "-sign", key, "-out", signature, data);
            var keyId = "openssl-" + Guid.NewGuid().ToString("N");
            server.Keys.PublishPem(keyId, await File.ReadAllTextAsync(pub, TestContext.Current.CancellationToken));
            _app.Time.Advance(TimeSpan.FromMinutes(2)); // past the refetch interval, so the new id is fetched

            var answer = await (await server.PostGitHubAsync(body, keyId, Convert.ToBase64String(await File.ReadAllBytesAsync(signature, TestContext.Current.CancellationToken))))
                .ReadAsync<List<GitHubLeakVerdict>>();

            Assert.Equal("true_positive", Assert.Single(answer).Label);
            Assert.Equal("cancelled", (await account.GetTokenAsync(token.Id)).Status);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task OpenSslAsync(params string[] args)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("openssl", args) { RedirectStandardError = true })!;
        var error = await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"openssl {string.Join(' ', args)}: {error}");
    }

    [Fact]
    public async Task The_same_report_sent_again_changes_and_records_nothing_more()
    {
        var account = await _app.NewAccountAsync();
        var token = await account.CreateTokenAsync("bob");
        var body = LeakServer.Batch((token.Token, "https://gist.github.com/x/1"));
        await (await server.PostSignedAsync(body)).ReadAsync<List<GitHubLeakVerdict>>();
        var first = await account.GetTokenAsync(token.Id);

        _app.Time.Advance(TimeSpan.FromMinutes(5));
        var again = await (await server.PostSignedAsync(body)).ReadAsync<List<GitHubLeakVerdict>>();

        Assert.Equal("true_positive", Assert.Single(again).Label);
        Assert.Equivalent(first, await account.GetTokenAsync(token.Id), strict: true);
        Assert.Equal(3, (await account.AuditAsync($"?objectId={token.Id}")).Items.Count);
    }

    [Fact]
    public async Task Look_alikes_and_unknown_tokens_are_false_positives_and_leave_every_token_as_it_was()
    {
        var account = await _app.NewAccountAsync();
        var token = await account.CreateTokenAsync("carol");
        var before = await account.GetTokenAsync(token.Id);

        var answer = await (await server.PostSignedAsync(LeakServer.Batch(
            (BadChecksum(token.Token), "https://github.com/a/b"),
            (SecretFormat.Generate(SecretKind.QueryToken), "https://github.com/a/c"),
            (token.Token[..^1], "https://github.com/a/d"), // one character short
            ("tsl_" + token.Token[4..], "https://github.com/a/e")))) // the right body under another prefix
            .ReadAsync<List<GitHubLeakVerdict>>();

        Assert.All(answer, v => Assert.Equal("false_positive", v.Label));
        Assert.Equal(4, answer.Count);
        await AssertUnchangedAsync(account, before);
    }

    [Fact]
    public async Task Forged_reports_are_refused_with_401_and_change_nothing_and_write_no_audit_entry()
    {
        var account = await _app.NewAccountAsync();
        var token = await account.CreateTokenAsync("dave");
        var before = await account.GetTokenAsync(token.Id);
        var body = LeakServer.Batch((token.Token, "https://github.com/a/b"));
        var (keyId, signature) = server.Keys.Sign(body);
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var tampered = LeakServer.Batch((token.Token, "https://github.com/a/c"));
        const string address = "192.0.2.31";

        await (await server.PostGitHubAsync(body, null, null, address)).ProblemAsync(HttpStatusCode.Unauthorized, "leak_signature_missing");
        await (await server.PostGitHubAsync(body, keyId, null, address)).ProblemAsync(HttpStatusCode.Unauthorized, "leak_signature_missing");
        await (await server.PostGitHubAsync(body, keyId, GitHubKeyServer.SignWith(stranger, body), address))
            .ProblemAsync(HttpStatusCode.Unauthorized, "leak_signature_invalid");
        await (await server.PostGitHubAsync(tampered, keyId, signature, address)).ProblemAsync(HttpStatusCode.Unauthorized, "leak_signature_invalid");
        await (await server.PostGitHubAsync(body, keyId, "not base64!", address)).ProblemAsync(HttpStatusCode.Unauthorized, "leak_signature_invalid");
        await (await server.PostGitHubAsync(body, "no-such-key-" + Guid.NewGuid(), signature, address))
            .ProblemAsync(HttpStatusCode.Unauthorized, "leak_key_unknown");

        await AssertUnchangedAsync(account, before);
        // The genuine report still works: the refusals were about the forgeries, not the token.
        Assert.Equal("true_positive", Assert.Single(await (await server.PostGitHubAsync(body, keyId, signature, address))
            .ReadAsync<List<GitHubLeakVerdict>>()).Label);
    }

    [Fact]
    public async Task Oversized_and_malformed_batches_are_refused_with_a_code_and_change_nothing()
    {
        var account = await _app.NewAccountAsync();
        var token = await account.CreateTokenAsync("erin");
        var before = await account.GetTokenAsync(token.Id);

        // Over 1 MiB: refused before the signature is checked (a valid one changes nothing about that).
        var huge = LeakServer.Batch([(token.Token, "https://github.com/a/" + new string('x', LeakEndpoints.MaxGitHubBodyBytes))]);
        await (await server.PostSignedAsync(huge)).ProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        // 1,001 items, signed: too many.
        var many = LeakServer.Batch([.. Enumerable.Repeat((token.Token, "https://github.com/a/b"), LeakEndpoints.MaxGitHubItems + 1)]);
        await (await server.PostSignedAsync(many)).ProblemAsync(HttpStatusCode.RequestEntityTooLarge, "too_many_items");
        // Signed, but not GitHub's shape.
        await (await server.PostSignedAsync("{\"token\":\"x\"}"u8.ToArray())).ProblemAsync(HttpStatusCode.BadRequest, "invalid_json");
        await (await server.PostSignedAsync("[1]"u8.ToArray())).ProblemAsync(HttpStatusCode.BadRequest, "invalid_json");
        await (await server.PostSignedAsync("[{\"token\":"u8.ToArray())).ProblemAsync(HttpStatusCode.BadRequest, "invalid_json");
        await (await server.PostSignedAsync(Encoding.UTF8.GetBytes($"[{{\"token\":\"{token.Token}\",\"url\":7}}]")))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        await AssertUnchangedAsync(account, before);
    }

    [Fact]
    public async Task Forgeries_from_one_address_use_up_its_budget_then_get_429_while_other_addresses_do_not()
    {
        var body = LeakServer.Batch((SecretFormat.Generate(SecretKind.QueryToken), "https://github.com/a/b"));
        var (keyId, _) = server.Keys.Sign(body);
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = GitHubKeyServer.SignWith(stranger, body);
        const string address = "192.0.2.32";
        for (var i = 0; i < 20; i++) // Tessera:Abuse:LicenseFailures:PermitLimit, by default
        {
            await (await server.PostGitHubAsync(body, keyId, forged, address)).ProblemAsync(HttpStatusCode.Unauthorized, "leak_signature_invalid");
        }

        var limited = await server.PostGitHubAsync(body, keyId, forged, address);

        await limited.ProblemAsync(HttpStatusCode.TooManyRequests, "too_many_failures");
        Assert.NotNull(limited.Headers.RetryAfter?.Delta);
        await (await server.PostGitHubAsync(body, keyId, forged, "192.0.2.33")).ProblemAsync(HttpStatusCode.Unauthorized, "leak_signature_invalid");
    }

    [Fact]
    public async Task Keys_are_cached_a_new_key_id_is_fetched_once_and_made_up_ids_refetch_at_most_once_per_interval()
    {
        var body = LeakServer.Batch((SecretFormat.Generate(SecretKind.QueryToken), "https://github.com/a/b"));
        await server.PostSignedAsync(body).EnsureAsync(HttpStatusCode.OK);
        var fetches = server.Keys.Fetches;
        await server.PostSignedAsync(body).EnsureAsync(HttpStatusCode.OK);
        Assert.Equal(fetches, server.Keys.Fetches); // cached

        // GitHub publishes its next key; once the refetch interval (2 minutes by default) has passed, a report signed with it is accepted.
        _app.Time.Advance(TimeSpan.FromMinutes(2));
        var next = "next-" + Guid.NewGuid();
        server.Keys.Publish(next);
        var (_, signature) = server.Keys.Sign(body, next);
        await server.PostGitHubAsync(body, next, signature).EnsureAsync(HttpStatusCode.OK);
        Assert.Equal(fetches + 1, server.Keys.Fetches);

        // Made-up ids: no fetch within the interval, however many arrive.
        for (var i = 0; i < 5; i++)
        {
            await (await server.PostGitHubAsync(body, "made-up-" + i, signature, "192.0.2.34")).ProblemAsync(HttpStatusCode.Unauthorized, "leak_key_unknown");
        }
        Assert.Equal(fetches + 1, server.Keys.Fetches);
        _app.Time.Advance(TimeSpan.FromMinutes(2));
        await (await server.PostGitHubAsync(body, "made-up-again", signature, "192.0.2.34")).ProblemAsync(HttpStatusCode.Unauthorized, "leak_key_unknown");
        Assert.Equal(fetches + 2, server.Keys.Fetches);
    }

    [Fact]
    public async Task Refused_and_accepted_calls_and_labels_are_counted_in_metrics()
    {
        var factory = _app.Services.GetRequiredService<IMeterFactory>();
        var counts = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == factory && instrument.Name.StartsWith("tessera.leaks.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = instrument.Name + ":" + string.Join(",", tags.ToArray().Select(t => t.Value));
            lock (counts)
            {
                counts[key] = counts.GetValueOrDefault(key) + value;
            }
        });
        listener.Start();
        var account = await _app.NewAccountAsync();
        var token = await account.CreateTokenAsync("frank");
        var body = LeakServer.Batch((token.Token, "https://github.com/a/b"), (SecretFormat.Generate(SecretKind.QueryToken), "https://github.com/a/c"));
        var (keyId, signature) = server.Keys.Sign(body);

        await server.PostGitHubAsync(body, keyId, signature[..^4] + "AAA=", "192.0.2.35").EnsureAsync(HttpStatusCode.Unauthorized);
        await server.PostGitHubAsync(body, null, null, "192.0.2.35").EnsureAsync(HttpStatusCode.Unauthorized);
        await server.PostGitHubAsync(body, keyId, signature).EnsureAsync(HttpStatusCode.OK);

        Assert.Equal(1, counts.GetValueOrDefault("tessera.leaks.calls:github,signature_invalid"));
        Assert.Equal(1, counts.GetValueOrDefault("tessera.leaks.calls:github,signature_missing"));
        Assert.Equal(1, counts.GetValueOrDefault("tessera.leaks.calls:github,accepted"));
        Assert.Equal(1, counts.GetValueOrDefault("tessera.leaks.reported:true_positive"));
        Assert.Equal(1, counts.GetValueOrDefault("tessera.leaks.reported:false_positive"));
    }

    /// <summary>The same token with its last checksum digit changed: the right shape, the wrong CRC.</summary>
    internal static string BadChecksum(string secret) => secret[..^1] + (secret[^1] == 'A' ? 'B' : 'A');

    private static async Task AssertUnchangedAsync(TestAccount account, TokenResponse before)
    {
        var now = await account.GetTokenAsync(before.Id);
        Assert.Equivalent(before, now, strict: true);
        Assert.Null(now.Leak);
        Assert.Equal(["token.created"], (await account.AuditAsync($"?objectId={before.Id}")).Items.Select(e => e.Action));
    }
}
