using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Contracts;
using Tessera.Core.Accounts;
using Tessera.Core.Audit;
using Tessera.Core.Tokens;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Audit;

/// <summary>
/// The audit trail through real HTTP on real SQLite: one entry per action with the fields before and
/// after, the actor and the client address; nothing recorded for a refused change; a deleted token
/// keeps its history; console sign-ins; the API's filters and paging.
/// </summary>
public sealed class AuditTrailTests(AuditApp server) : IClassFixture<AuditApp>
{
    private readonly TesseraApp _app = server.App;

    [Fact]
    public async Task Each_token_change_appends_exactly_one_entry_with_the_fields_before_and_after_and_deleting_keeps_the_history()
    {
        var account = await _app.NewAccountAsync();
        var keyId = await FirstKeyIdAsync(account);
        var first = await account.CreateWorkloadAsync("llama");
        var second = await account.CreateWorkloadAsync("mistral");
        var token = await account.CreateTokenAsync("alice", first.Id, "first note");

        var created = await SingleAsync(account, token.Id, AuditActions.TokenCreated, expectedTotal: 1);
        Assert.Equal(AuditActors.LicenseKey, created.ActorType);
        Assert.Equal(keyId, created.ActorId);
        Assert.Equal(AuditApp.DefaultIp, created.ClientIp);
        Assert.Equal(token.CreatedAt, created.At);
        Assert.Null(created.Before);
        Assert.Equal("alice", Field(created.After, "name"));
        Assert.Equal("first note", Field(created.After, "note"));
        Assert.Equal(first.Id, Field(created.After, "workloadId"));
        Assert.Equal("active", Field(created.After, "status"));
        Assert.Equal(token.Hint, Field(created.After, "hint"));

        var total = 1;
        async Task Step(Func<Task<HttpResponseMessage>> change, string action, string field, string? before, string? after)
        {
            _app.Time.Advance(TimeSpan.FromMinutes(1));
            await change().EnsureAsync(HttpStatusCode.OK);
            var entry = await SingleAsync(account, token.Id, action, ++total);
            Assert.Equal(before, Field(entry.Before, field));
            Assert.Equal(after, Field(entry.After, field));
            Assert.Single(entry.Before!.Value.EnumerateObject()); // only what this action changed
            Assert.Equal(_app.Time.GetUtcNow(), entry.At);
        }

        var url = $"/v1/tokens/{token.Id}";
        await Step(() => account.Client.PatchJsonAsync(url, new { name = "alice-2" }), AuditActions.TokenRenamed, "name", "alice", "alice-2");
        await Step(() => account.Client.PatchJsonAsync(url, new { note = "second" }), AuditActions.TokenNoteChanged, "note", "first note", "second");
        await Step(() => account.Client.PatchJsonAsync(url, new { workloadId = second.Id }), AuditActions.TokenAssigned, "workloadId", first.Id, second.Id);
        await Step(() => account.Client.PatchJsonAsync(url, new { workloadId = (string?)null }), AuditActions.TokenUnassigned, "workloadId", second.Id, null);
        await Step(() => account.Client.PatchJsonAsync(url, new { status = "cancelled" }), AuditActions.TokenCancelled, "status", "active", "cancelled");
        await Step(() => account.Client.PatchJsonAsync(url, new { status = "active" }), AuditActions.TokenReactivated, "status", "cancelled", "active");
        var expiresBefore = (await account.GetTokenAsync(token.Id)).ExpiresAt;
        var renewedTo = _app.Time.GetUtcNow() + TimeSpan.FromMinutes(1) + TokenPolicy.DefaultLifetime;
        await Step(() => account.Client.PostAsync($"{url}/renew", null), AuditActions.TokenRenewed, "expiresAt", Instant(expiresBefore), Instant(renewedTo));
        var setTo = _app.Time.GetUtcNow() + TimeSpan.FromDays(2);
        await Step(() => account.Client.PatchJsonAsync(url, new { expiresAt = Instant(setTo) }), AuditActions.TokenExpirySet, "expiresAt", Instant(renewedTo), Instant(setTo));

        _app.Time.Advance(TimeSpan.FromMinutes(1));
        await account.Client.DeleteAsync(url).EnsureAsync(HttpStatusCode.NoContent);
        var deleted = await SingleAsync(account, token.Id, AuditActions.TokenDeleted, ++total);
        Assert.Null(deleted.After);
        Assert.Equal("alice-2", Field(deleted.Before, "name"));
        Assert.Equal("second", Field(deleted.Before, "note"));
        Assert.Null(Field(deleted.Before, "workloadId"));
        Assert.Equal(Instant(setTo), Field(deleted.Before, "expiresAt"));

        // The token is gone; its history is not: every action once, newest first.
        await (await account.Client.GetAsync(url)).ProblemAsync(HttpStatusCode.NotFound, "token_not_found");
        var history = (await account.AuditAsync($"?objectId={token.Id}")).Items;
        Assert.Equal(
            [
                AuditActions.TokenDeleted, AuditActions.TokenExpirySet, AuditActions.TokenRenewed, AuditActions.TokenReactivated,
                AuditActions.TokenCancelled, AuditActions.TokenUnassigned, AuditActions.TokenAssigned, AuditActions.TokenNoteChanged,
                AuditActions.TokenRenamed, AuditActions.TokenCreated,
            ],
            history.Select(e => e.Action));
        Assert.All(history, e => Assert.Equal(keyId, e.ActorId));
    }

    [Fact]
    public async Task A_patch_of_several_fields_appends_one_entry_per_action_at_one_instant()
    {
        var account = await _app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama");
        var token = await account.CreateTokenAsync("bob");

        await account.PatchTokenAsync(token.Id, new { status = "cancelled", name = "bob-2", note = "left", workloadId = workload.Id });

        var entries = (await account.AuditAsync($"?objectId={token.Id}")).Items;
        Assert.Equal(5, entries.Count);
        var patch = entries.Where(e => e.Action != AuditActions.TokenCreated).ToList();
        Assert.Equal(
            new[] { AuditActions.TokenAssigned, AuditActions.TokenCancelled, AuditActions.TokenNoteChanged, AuditActions.TokenRenamed },
            patch.Select(e => e.Action).Order(StringComparer.Ordinal));
        Assert.Single(patch.Select(e => e.At).Distinct());
    }

    [Fact]
    public async Task Workload_changes_are_recorded_and_deleting_one_records_each_token_it_unassigned()
    {
        var account = await _app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama", "first");
        var bound = new[] { await account.CreateTokenAsync("a", workload.Id), await account.CreateTokenAsync("b", workload.Id) };
        var loose = await account.CreateTokenAsync("c");

        var created = await SingleAsync(account, workload.Id, AuditActions.WorkloadCreated, 1);
        Assert.Equal("llama", Field(created.After, "name"));
        Assert.Equal("first", Field(created.After, "description"));

        await account.Client.PatchJsonAsync($"/v1/workloads/{workload.Id}", new { name = "llama-2" }).EnsureAsync(HttpStatusCode.OK);
        var renamed = await SingleAsync(account, workload.Id, AuditActions.WorkloadRenamed, 2);
        Assert.Equal(("llama", "llama-2"), (Field(renamed.Before, "name"), Field(renamed.After, "name")));
        await account.Client.PatchJsonAsync($"/v1/workloads/{workload.Id}", new { description = "second" }).EnsureAsync(HttpStatusCode.OK);
        var described = await SingleAsync(account, workload.Id, AuditActions.WorkloadDescribed, 3);
        Assert.Equal(("first", "second"), (Field(described.Before, "description"), Field(described.After, "description")));

        await account.Client.DeleteAsync($"/v1/workloads/{workload.Id}").EnsureAsync(HttpStatusCode.NoContent);
        var deleted = await SingleAsync(account, workload.Id, AuditActions.WorkloadDeleted, 4);
        Assert.Equal(("llama-2", "second"), (Field(deleted.Before, "name"), Field(deleted.Before, "description")));
        Assert.Null(deleted.After);
        foreach (var token in bound)
        {
            var unassigned = await SingleAsync(account, token.Id, AuditActions.TokenUnassigned, 2);
            Assert.Equal(workload.Id, Field(unassigned.Before, "workloadId"));
            Assert.Null(Field(unassigned.After, "workloadId"));
            Assert.Equal(AuditActions.WorkloadDeleted, Field(unassigned.After, "reason"));
            Assert.Equal(deleted.At, unassigned.At);
            Assert.Equal(deleted.ActorId, unassigned.ActorId);
        }
        Assert.Single((await account.AuditAsync($"?objectId={loose.Id}")).Items);
    }

    [Fact]
    public async Task Accounts_and_license_keys_are_recorded_and_a_revoked_key_presented_again_is_recorded_with_the_address()
    {
        var account = await _app.NewAccountAsync("Acme");
        var firstKey = await FirstKeyIdAsync(account);
        var opened = await SingleAsync(account, account.Id, AuditActions.AccountCreated, 1);
        Assert.Equal(AuditActors.Admin, opened.ActorType);
        Assert.Null(opened.ActorId);
        Assert.Equal("Acme", Field(opened.After, "name"));
        Assert.Equal(AuditActors.Admin, (await SingleAsync(account, firstKey, AuditActions.LicenseKeyCreated, 1)).ActorType);

        var key = await (await account.Client.PostJsonAsync("/v1/license-keys", new { name = "ci" })).ReadAsync<CreatedLicenseKeyResponse>(HttpStatusCode.Created);
        var keyCreated = await SingleAsync(account, key.Id, AuditActions.LicenseKeyCreated, 1);
        Assert.Equal((firstKey, "ci", key.Hint), (keyCreated.ActorId, Field(keyCreated.After, "name"), Field(keyCreated.After, "hint")));

        await account.Client.DeleteAsync($"/v1/license-keys/{key.Id}").EnsureAsync(HttpStatusCode.NoContent);
        var revoked = await SingleAsync(account, key.Id, AuditActions.LicenseKeyRevoked, 2);
        Assert.Equal(("active", "revoked"), (Field(revoked.Before, "status"), Field(revoked.After, "status")));
        // Revoking it again changes nothing and records nothing.
        await account.Client.DeleteAsync($"/v1/license-keys/{key.Id}").EnsureAsync(HttpStatusCode.NoContent);
        Assert.Equal(2, (await account.AuditAsync($"?objectId={key.Id}")).Items.Count);

        var stale = _app.ClientWith(key.Key);
        stale.DefaultRequestHeaders.Add(AuditApp.RemoteIpHeader, "::ffff:198.51.100.2");
        await (await stale.GetAsync("/v1/tokens")).ProblemAsync(HttpStatusCode.Unauthorized, "license_key_invalid");
        var refused = await SingleAsync(account, key.Id, AuditActions.LicenseKeyRefused, 3);
        Assert.Equal("198.51.100.2", refused.ClientIp); // an IPv4 client of a dual-stack socket reads as IPv4
        Assert.Equal((AuditActors.LicenseKey, key.Id), (refused.ActorType, refused.ActorId));
        // A client retrying in a loop is recorded once a minute, not once a request.
        await (await stale.GetAsync("/v1/tokens")).ProblemAsync(HttpStatusCode.Unauthorized, "license_key_invalid");
        Assert.Equal(3, (await account.AuditAsync($"?objectId={key.Id}")).Items.Count);
        _app.Time.Advance(TimeSpan.FromMinutes(1));
        await (await stale.GetAsync("/v1/tokens")).ProblemAsync(HttpStatusCode.Unauthorized, "license_key_invalid");
        Assert.Equal(2, (await account.AuditAsync($"?objectId={key.Id}&action={AuditActions.LicenseKeyRefused}")).Items.Count);
    }

    [Fact]
    public async Task The_first_account_created_on_an_empty_database_is_recorded_as_made_by_the_server()
    {
        var page = await (await _app.ClientWith(_app.BootstrapKey).GetAsync($"/v1/audit?action={AuditActions.AccountCreated}"))
            .ReadAsync<PageResponse<AuditEntryResponse>>();
        var entry = Assert.Single(page.Items);
        Assert.Equal((AuditActors.System, null, null, "Default account"), (entry.ActorType, entry.ActorId, entry.ClientIp, Field(entry.After, "name")));
    }

    [Fact]
    public async Task A_refused_change_records_nothing()
    {
        var account = await _app.NewAccountAsync();
        var other = await _app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama");
        var token = await account.CreateTokenAsync("alice", workload.Id);
        var foreign = await other.CreateTokenAsync("theirs");
        var cancelled = await account.CreateTokenAsync("gone");
        await account.PatchTokenAsync(cancelled.Id, new { status = "cancelled" });
        var before = (await account.AuditAsync("?limit=200")).Items.Count;
        var otherBefore = (await other.AuditAsync("?limit=200")).Items.Count;
        var c = account.Client;

        await (await c.PatchJsonAsync($"/v1/tokens/{token.Id}", new { name = "x" }, ifMatch: "\"7\"")).ProblemAsync(HttpStatusCode.PreconditionFailed, "precondition_failed");
        await (await c.SendRawAsync(HttpMethod.Delete, $"/v1/tokens/{token.Id}", null, ifMatch: "\"7\"")).ProblemAsync(HttpStatusCode.PreconditionFailed, "precondition_failed");
        await (await c.PatchJsonAsync($"/v1/tokens/{foreign.Id}", new { status = "cancelled" })).ProblemAsync(HttpStatusCode.NotFound, "token_not_found");
        await (await c.DeleteAsync($"/v1/tokens/{foreign.Id}")).ProblemAsync(HttpStatusCode.NotFound, "token_not_found");
        await (await c.PatchJsonAsync($"/v1/tokens/{token.Id}", new { name = "" })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await c.PatchJsonAsync($"/v1/tokens/{token.Id}", new { expiresAt = "2020-01-01T00:00:00Z" })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await c.PatchJsonAsync($"/v1/tokens/{token.Id}", new { workloadId = "wl_0123456789abcdef0123456789abcdef" })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await c.PostAsync($"/v1/tokens/{cancelled.Id}/renew", null)).ProblemAsync(HttpStatusCode.Conflict, "token_cancelled");
        await (await c.PostJsonAsync("/v1/tokens", new { name = "x", workloadId = "wl_0123456789abcdef0123456789abcdef" })).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await c.PostJsonAsync("/v1/workloads", new { name = "LLAMA" })).ProblemAsync(HttpStatusCode.Conflict, "workload_name_taken");
        await (await c.DeleteAsync("/v1/workloads/wl_0123456789abcdef0123456789abcdef")).ProblemAsync(HttpStatusCode.NotFound, "workload_not_found");
        await (await c.DeleteAsync($"/v1/license-keys/{await FirstKeyIdAsync(account)}")).ProblemAsync(HttpStatusCode.Conflict, "last_license_key");
        // A patch that changes nothing answers 200 and is not a change either.
        await c.PatchJsonAsync($"/v1/tokens/{token.Id}", new { name = "alice", status = "active" }).EnsureAsync(HttpStatusCode.OK);

        Assert.Equal(before, (await account.AuditAsync("?limit=200")).Items.Count);
        Assert.Equal(otherBefore, (await other.AuditAsync("?limit=200")).Items.Count);
    }

    [Fact]
    public async Task A_change_whose_entry_cannot_be_written_is_not_saved()
    {
        var account = await _app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama");
        var token = await account.CreateTokenAsync("alice", workload.Id);
        var entries = (await account.AuditAsync("?limit=200")).Items.Count;
        var keys = (await (await account.Client.GetAsync("/v1/license-keys")).ReadAsync<ItemsResponse<LicenseKeyResponse>>()).Items.Count;

        // From here on the database refuses every audit entry of this account (and only of this one).
        await using (var db = await server.OpenDatabaseAsync())
        {
            await Execute(db, $"""
                CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_entries WHEN NEW.account_id = '{account.Id}'
                BEGIN SELECT RAISE(ABORT, 'injected: the audit entry cannot be written'); END;
                """);
        }
        try
        {
            var c = account.Client;
            await (await c.PatchJsonAsync($"/v1/tokens/{token.Id}", new { status = "cancelled", name = "x" })).ProblemAsync(HttpStatusCode.ServiceUnavailable, "service_unavailable");
            await (await c.PostAsync($"/v1/tokens/{token.Id}/renew", null)).ProblemAsync(HttpStatusCode.ServiceUnavailable, "service_unavailable");
            await (await c.DeleteAsync($"/v1/tokens/{token.Id}")).ProblemAsync(HttpStatusCode.ServiceUnavailable, "service_unavailable");
            await (await c.PostJsonAsync("/v1/tokens", new { name = "never" })).ProblemAsync(HttpStatusCode.ServiceUnavailable, "service_unavailable");
            await (await c.PostJsonAsync("/v1/workloads", new { name = "never" })).ProblemAsync(HttpStatusCode.ServiceUnavailable, "service_unavailable");
            await (await c.PatchJsonAsync($"/v1/workloads/{workload.Id}", new { name = "never" })).ProblemAsync(HttpStatusCode.ServiceUnavailable, "service_unavailable");
            await (await c.DeleteAsync($"/v1/workloads/{workload.Id}")).ProblemAsync(HttpStatusCode.ServiceUnavailable, "service_unavailable");
            await (await c.PostJsonAsync("/v1/license-keys", new { name = "never" })).ProblemAsync(HttpStatusCode.ServiceUnavailable, "service_unavailable");

            // Every change was rolled back with its entry: the token, the workload and the keys are as they were.
            var after = await account.GetTokenAsync(token.Id);
            Assert.Equal((token.Name, "active", workload.Id, token.ExpiresAt, token.Version), (after.Name, after.Status, after.WorkloadId, after.ExpiresAt, after.Version));
            Assert.Equal([token.Id], (await account.ListTokensAsync()).Items.Select(t => t.Id));
            var workloads = await (await c.GetAsync("/v1/workloads")).ReadAsync<PageResponse<WorkloadResponse>>();
            Assert.Equal(("llama", 1L), (workloads.Items.Single().Name, workloads.Items.Single().TokenCount));
            Assert.Equal(keys, (await (await c.GetAsync("/v1/license-keys")).ReadAsync<ItemsResponse<LicenseKeyResponse>>()).Items.Count);
            Assert.Equal(entries, (await account.AuditAsync("?limit=200")).Items.Count);
            Assert.Equal(HttpStatusCode.OK, (await _app.HandshakeAsync(token.Token)).StatusCode); // still usable
        }
        finally
        {
            await using var db = await server.OpenDatabaseAsync();
            await Execute(db, "DROP TRIGGER test_refuse_audit");
        }

        // With the entry writable again, the same change lands together with it.
        await account.PatchTokenAsync(token.Id, new { status = "cancelled" });
        Assert.Single((await account.AuditAsync($"?objectId={token.Id}&action={AuditActions.TokenCancelled}")).Items);
    }

    [Fact]
    public async Task Console_sign_ins_and_console_changes_are_recorded_with_the_session()
    {
        var account = await _app.NewAccountAsync();
        var other = await _app.NewAccountAsync();
        var audit = _app.Services.GetRequiredService<AuditService>();
        var ct = TestContext.Current.CancellationToken;

        await audit.RecordSignInAsync(account.Id, succeeded: true, "ses_0001", "198.51.100.7", null, ct);
        await audit.RecordSignInAsync(account.Id, succeeded: false, null, "198.51.100.8", "license_key_invalid", ct);
        await audit.RecordSignInAsync(null, succeeded: false, null, "198.51.100.9", "license_key_malformed", ct);

        var signedIn = await SingleAsync(account, account.Id, AuditActions.ConsoleSignedIn, 3);
        Assert.Equal((AuditActors.ConsoleSession, "ses_0001", "198.51.100.7"), (signedIn.ActorType, signedIn.ActorId, signedIn.ClientIp));
        var failed = await SingleAsync(account, account.Id, AuditActions.ConsoleSignInFailed, 3);
        Assert.Equal((AuditActors.Anonymous, null, "license_key_invalid"), (failed.ActorType, failed.ActorId, Field(failed.After, "reason")));
        // A failure that named no account is in no account's trail.
        Assert.DoesNotContain((await account.AuditAsync("?limit=200")).Items, e => e.ClientIp == "198.51.100.9");
        Assert.DoesNotContain((await other.AuditAsync("?limit=200")).Items, e => e.Action.StartsWith("console.", StringComparison.Ordinal));

        // A change the console makes through the same use cases names its session.
        var caller = new Caller(account.Id, await FirstKeyIdAsync(account), "198.51.100.7", "ses_0001");
        var issued = await _app.Services.GetRequiredService<TokenService>().IssueAsync(caller, "from-console", null, null, ct);
        var entry = await SingleAsync(account, issued.Token.Id, AuditActions.TokenCreated, 1);
        Assert.Equal((AuditActors.ConsoleSession, "ses_0001", "198.51.100.7"), (entry.ActorType, entry.ActorId, entry.ClientIp));
    }

    [Fact]
    public async Task Another_accounts_entries_never_appear_whatever_the_filter()
    {
        var owner = await _app.NewAccountAsync();
        var intruder = await _app.NewAccountAsync();
        var token = await owner.CreateTokenAsync("private");
        await owner.PatchTokenAsync(token.Id, new { status = "cancelled" });

        var mine = (await intruder.AuditAsync("?limit=200")).Items;
        Assert.Equal([AuditActions.AccountCreated, AuditActions.LicenseKeyCreated], mine.Select(e => e.Action).Order(StringComparer.Ordinal));
        Assert.Empty((await intruder.AuditAsync($"?objectId={token.Id}")).Items);
        Assert.Empty((await intruder.AuditAsync($"?objectId={owner.Id}")).Items);
        Assert.Empty((await intruder.AuditAsync($"?action={AuditActions.TokenCancelled}")).Items);
        Assert.Equal(2, (await owner.AuditAsync($"?objectId={token.Id}")).Items.Count);
    }

    [Fact]
    public async Task The_list_filters_by_object_action_and_time_and_pages_newest_first_without_repeats()
    {
        var account = await _app.NewAccountAsync();
        var t0 = _app.Time.GetUtcNow();
        var tokens = new List<CreatedTokenResponse>();
        for (var i = 0; i < 5; i++)
        {
            tokens.Add(await account.CreateTokenAsync($"token-{i}"));
            _app.Time.Advance(TimeSpan.FromMinutes(1));
        }
        // Three entries at one instant: paging must neither repeat nor skip among them.
        await account.PatchTokenAsync(tokens[0].Id, new { name = "renamed", note = "n", status = "cancelled" });

        var all = (await account.AuditAsync("?limit=200")).Items;
        Assert.Equal(2 + 5 + 3, all.Count); // account and first key, 5 tokens, 3 changes
        Assert.Equal(all.OrderByDescending(e => e.At).ThenByDescending(e => e.Id, StringComparer.Ordinal).Select(e => e.Id), all.Select(e => e.Id));

        Assert.Equal(5, (await account.AuditAsync($"?action={AuditActions.TokenCreated}")).Items.Count);
        Assert.Equal(4, (await account.AuditAsync($"?objectId={tokens[0].Id}")).Items.Count);
        Assert.Single((await account.AuditAsync($"?objectId={tokens[0].Id}&action={AuditActions.TokenRenamed}")).Items);
        var window = (await account.AuditAsync($"?from={Instant(t0 + TimeSpan.FromMinutes(1))}&to={Instant(t0 + TimeSpan.FromMinutes(3))}")).Items;
        Assert.Equal([tokens[2].Id, tokens[1].Id], window.Select(e => e.ObjectId)); // from inclusive, to exclusive

        var paged = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await account.AuditAsync("?limit=2" + (cursor is null ? "" : $"&cursor={cursor}"));
            Assert.InRange(page.Items.Count, 1, 2);
            paged.AddRange(page.Items.Select(e => e.Id));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);
        Assert.Equal(all.Select(e => e.Id), paged);
        Assert.Equal(5, pages);

        // An entry added while paging lands at the front, not in the middle of the pages already read.
        var first = await account.AuditAsync("?limit=3");
        _app.Time.Advance(TimeSpan.FromMinutes(1));
        await account.CreateTokenAsync("late");
        var rest = await account.AuditAsync($"?limit=200&cursor={first.NextCursor}");
        Assert.Equal(all.Skip(3).Select(e => e.Id), rest.Items.Select(e => e.Id));
    }

    [Theory]
    [InlineData("?action=token.canceled", "invalid_query")]
    [InlineData("?from=2026-11-30T12:00:00", "invalid_query")]
    [InlineData("?to=yesterday", "invalid_query")]
    [InlineData("?limit=0", "invalid_query")]
    [InlineData("?limit=201", "invalid_query")]
    [InlineData("?objectId=", "invalid_query")]
    [InlineData("?token=tsq_x", "invalid_query")]
    [InlineData("?action=token.created&action=token.deleted", "invalid_query")]
    [InlineData("?cursor=not-a-cursor", "invalid_cursor")]
    public async Task A_malformed_list_request_is_a_400_problem(string query, string code)
    {
        var account = await _app.NewAccountAsync();
        await (await account.Client.GetAsync($"/v1/audit{query}")).ProblemAsync(HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task A_cursor_of_another_list_is_refused_and_the_list_needs_a_license_key()
    {
        var account = await _app.NewAccountAsync();
        await account.CreateTokenAsync("a");
        await account.CreateTokenAsync("b");
        var tokensCursor = (await account.ListTokensAsync("?limit=1")).NextCursor;
        await (await account.Client.GetAsync($"/v1/audit?cursor={tokensCursor}")).ProblemAsync(HttpStatusCode.BadRequest, "invalid_cursor");
        await (await _app.ClientWith(null).GetAsync("/v1/audit")).ProblemAsync(HttpStatusCode.Unauthorized, "license_key_missing");
    }

    private static async Task Execute(Microsoft.Data.Sqlite.SqliteConnection db, string sql)
    {
        await using var command = db.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>The only entry of <paramref name="action"/> on <paramref name="objectId"/>, checking the object's entry count.</summary>
    private static async Task<AuditEntryResponse> SingleAsync(TestAccount account, string objectId, string action, int expectedTotal)
    {
        var all = (await account.AuditAsync($"?objectId={objectId}&limit=200")).Items;
        Assert.Equal(expectedTotal, all.Count);
        var entry = Assert.Single(all, e => e.Action == action);
        Assert.Equal(objectId, entry.ObjectId);
        Assert.StartsWith("aud_", entry.Id, StringComparison.Ordinal);
        return entry;
    }

    private static async Task<string> FirstKeyIdAsync(TestAccount account) =>
        (await (await account.Client.GetAsync("/v1/license-keys")).ReadAsync<ItemsResponse<LicenseKeyResponse>>()).Items[0].Id;

    private static string? Field(JsonElement? fields, string name)
    {
        Assert.NotNull(fields);
        var value = fields.Value.GetProperty(name);
        return value.ValueKind == JsonValueKind.Null ? null : value.GetString();
    }

    private static string Instant(DateTimeOffset value) => Core.Instants.Format(value);
}
