using Tessera.Core;
using Tessera.Core.Accounts;
using Tessera.Core.Secrets;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Core.Workloads;

namespace Tessera.Storage.Tests;

/// <summary>One test body, two databases: <see cref="OnSqlite"/> and <see cref="OnPostgres"/>.</summary>
public abstract class TokenStoreTests(string provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : TokenStoreTests(TempDatabase.Sqlite);

    public sealed class OnPostgres() : TokenStoreTests(TempDatabase.Postgres);

    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private TempDatabase _db = null!;
    private Account _account = null!;
    private Account _other = null!;
    private Workload _workload = null!;
    private Workload _otherAccountsWorkload = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _db = await TempDatabase.CreateMigratedAsync(provider, Ct);
        _account = await _db.AddAccountAsync("Provider", T0, Ct);
        _other = await _db.AddAccountAsync("Other provider", T0, Ct);
        _workload = await _db.AddWorkloadAsync(_account.Id, "Llama", T0, Ct);
        _otherAccountsWorkload = await _db.AddWorkloadAsync(_other.Id, "Llama", T0, Ct);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task Insert_then_get_round_trips_every_field()
    {
        var secret = SecretFormat.Generate(SecretKind.QueryToken);
        var token = QueryToken.Issue(_account.Id, "Alice Ångström 😀", "line one\nline two", _workload.Id, secret,
            T0.AddMilliseconds(123), TempDatabase.Lifetime);

        Assert.Equal(SaveResult.Saved, await _db.Tokens.InsertTokenAsync(token, Ct));
        var stored = await _db.Tokens.GetTokenAsync(_account.Id, token.Id, Ct);

        TokenAssert.AllPropertiesEqual(token, stored);
    }

    [Fact]
    public async Task Get_round_trips_a_changed_cancelled_unassigned_token_with_usage()
    {
        var token = await _db.AddTokenAsync(_account.Id, "Alice", _workload.Id, T0, Ct);
        token.Cancel(T0.AddMinutes(1));
        token.Unassign(T0.AddMinutes(1));
        token.SetNote("cancelled for now", T0.AddMinutes(1));
        Assert.Equal(SaveResult.Saved, await _db.Tokens.UpdateTokenAsync(token, Ct));
        token.MarkSaved();
        await _db.Tokens.RecordUsageAsync([new TokenUsage(token.Id, 3, T0.AddMinutes(2))], Ct);

        var stored = await _db.Tokens.GetTokenAsync(_account.Id, token.Id, Ct);

        Assert.NotNull(stored);
        Assert.Equal(3, stored.UseCount);
        Assert.Equal(T0.AddMinutes(2), stored.LastUsedAt);
        var expected = QueryToken.Rehydrate(token.Id, token.AccountId, token.Name, token.Note, token.WorkloadId, token.Status,
            token.Hash, token.Hint, token.CreatedAt, token.UpdatedAt, token.ExpiresAt, T0.AddMinutes(2), 3, token.Version);
        TokenAssert.AllPropertiesEqual(expected, stored);
    }

    [Fact]
    public async Task Get_with_another_accounts_id_returns_null()
    {
        var token = await _db.AddTokenAsync(_account.Id, "Alice", _workload.Id, T0, Ct);
        Assert.NotNull(await _db.Tokens.GetTokenAsync(_account.Id, token.Id, Ct));

        Assert.Null(await _db.Tokens.GetTokenAsync(_other.Id, token.Id, Ct));
    }

    [Fact]
    public async Task FindToken_by_hash_returns_the_token_and_its_workloads_name()
    {
        var secret = SecretFormat.Generate(SecretKind.QueryToken);
        var token = QueryToken.Issue(_account.Id, "Alice", "", _workload.Id, secret, T0, TempDatabase.Lifetime);
        await _db.Tokens.InsertTokenAsync(token, Ct);

        var match = await _db.Tokens.FindTokenAsync(SecretHash.Of(secret), Ct);

        Assert.NotNull(match);
        TokenAssert.AllPropertiesEqual(token, match.Token);
        Assert.Equal("Llama", match.WorkloadName);
    }

    [Fact]
    public async Task FindToken_of_an_unassigned_token_has_no_workload_name()
    {
        var secret = SecretFormat.Generate(SecretKind.QueryToken);
        var token = QueryToken.Issue(_account.Id, "Alice", "", null, secret, T0, TempDatabase.Lifetime);
        await _db.Tokens.InsertTokenAsync(token, Ct);

        var match = await _db.Tokens.FindTokenAsync(SecretHash.Of(secret), Ct);

        Assert.NotNull(match);
        Assert.Equal(token.Id, match.Token.Id);
        Assert.Null(match.WorkloadName);
    }

    [Fact]
    public async Task FindToken_of_an_unknown_hash_returns_null()
    {
        var secret = SecretFormat.Generate(SecretKind.QueryToken);
        await _db.Tokens.InsertTokenAsync(QueryToken.Issue(_account.Id, "Alice", "", _workload.Id, secret, T0, TempDatabase.Lifetime), Ct);
        Assert.NotNull(await _db.Tokens.FindTokenAsync(SecretHash.Of(secret), Ct));

        Assert.Null(await _db.Tokens.FindTokenAsync(SecretHash.Of(SecretFormat.Generate(SecretKind.QueryToken)), Ct));
    }

    [Fact]
    public async Task FindTokens_returns_the_stored_tokens_among_many_hashes_with_their_workload_names_and_skips_unknown_ones()
    {
        var secrets = Enumerable.Range(0, 3).Select(_ => SecretFormat.Generate(SecretKind.QueryToken)).ToArray();
        var bound = QueryToken.Issue(_account.Id, "Alice", "", _workload.Id, secrets[0], T0, TempDatabase.Lifetime);
        var parked = QueryToken.Issue(_account.Id, "Bob", "", null, secrets[1], T0, TempDatabase.Lifetime);
        await _db.Tokens.InsertTokenAsync(bound, Ct);
        await _db.Tokens.InsertTokenAsync(parked, Ct);
        var unknown = SecretHash.Of(secrets[2]);

        var matches = await _db.Tokens.FindTokensAsync([bound.Hash, unknown, parked.Hash], Ct);

        Assert.Equal(2, matches.Count);
        var first = Assert.Single(matches, m => m.Token.Hash == bound.Hash);
        TokenAssert.AllPropertiesEqual(bound, first.Token);
        Assert.Equal("Llama", first.WorkloadName);
        Assert.Null(Assert.Single(matches, m => m.Token.Hash == parked.Hash).WorkloadName);
        Assert.Empty(await _db.Tokens.FindTokensAsync([unknown], Ct));
        Assert.Empty(await _db.Tokens.FindTokensAsync([], Ct));
    }

    [Fact]
    public async Task Insert_with_a_workload_of_another_account_returns_WorkloadMissing_and_stores_nothing()
    {
        var secret = SecretFormat.Generate(SecretKind.QueryToken);
        var token = QueryToken.Issue(_account.Id, "Alice", "", _otherAccountsWorkload.Id, secret, T0, TempDatabase.Lifetime);

        Assert.Equal(SaveResult.WorkloadMissing, await _db.Tokens.InsertTokenAsync(token, Ct));

        Assert.Null(await _db.Tokens.GetTokenAsync(_account.Id, token.Id, Ct));
        Assert.Null(await _db.Tokens.GetTokenAsync(_other.Id, token.Id, Ct));
        Assert.Null(await _db.Tokens.FindTokenAsync(SecretHash.Of(secret), Ct));
    }

    [Fact]
    public async Task Insert_with_a_nonexistent_workload_returns_WorkloadMissing_and_stores_nothing()
    {
        var token = QueryToken.Issue(_account.Id, "Alice", "", Ids.New(Ids.Workload, T0), SecretFormat.Generate(SecretKind.QueryToken),
            T0, TempDatabase.Lifetime);

        Assert.Equal(SaveResult.WorkloadMissing, await _db.Tokens.InsertTokenAsync(token, Ct));

        Assert.Null(await _db.Tokens.GetTokenAsync(_account.Id, token.Id, Ct));
    }

    [Fact]
    public async Task Update_with_the_current_version_saves_and_bumps_the_stored_version_by_one()
    {
        var token = await _db.AddTokenAsync(_account.Id, "Alice", null, T0, Ct);
        var changedAt = T0.AddHours(1);
        token.Rename("Alice B.", changedAt);
        token.AssignTo(_workload.Id, changedAt);
        token.SetExpiry(changedAt.AddDays(2), changedAt, TempDatabase.Lifetime);

        Assert.Equal(SaveResult.Saved, await _db.Tokens.UpdateTokenAsync(token, Ct));
        token.MarkSaved();

        var stored = await _db.Tokens.GetTokenAsync(_account.Id, token.Id, Ct);
        Assert.NotNull(stored);
        Assert.Equal(2, stored.Version);
        TokenAssert.AllPropertiesEqual(token, stored);
    }

    [Fact]
    public async Task Update_with_a_stale_version_returns_VersionConflict_and_changes_nothing()
    {
        var token = await _db.AddTokenAsync(_account.Id, "Alice", _workload.Id, T0, Ct);
        var first = await _db.Tokens.GetTokenAsync(_account.Id, token.Id, Ct);
        var second = await _db.Tokens.GetTokenAsync(_account.Id, token.Id, Ct);
        Assert.NotNull(first);
        Assert.NotNull(second);
        first.Rename("First writer", T0.AddMinutes(1));
        Assert.Equal(SaveResult.Saved, await _db.Tokens.UpdateTokenAsync(first, Ct));
        first.MarkSaved();

        second.Cancel(T0.AddMinutes(2));
        second.Rename("Second writer", T0.AddMinutes(2));

        Assert.Equal(SaveResult.VersionConflict, await _db.Tokens.UpdateTokenAsync(second, Ct));
        TokenAssert.AllPropertiesEqual(first, await _db.Tokens.GetTokenAsync(_account.Id, token.Id, Ct));
    }

    [Fact]
    public async Task Update_onto_a_workload_of_another_account_returns_WorkloadMissing_and_changes_nothing()
    {
        var token = await _db.AddTokenAsync(_account.Id, "Alice", _workload.Id, T0, Ct);
        var changed = await _db.Tokens.GetTokenAsync(_account.Id, token.Id, Ct);
        Assert.NotNull(changed);
        changed.AssignTo(_otherAccountsWorkload.Id, T0.AddMinutes(1));

        Assert.Equal(SaveResult.WorkloadMissing, await _db.Tokens.UpdateTokenAsync(changed, Ct));

        TokenAssert.AllPropertiesEqual(token, await _db.Tokens.GetTokenAsync(_account.Id, token.Id, Ct));
    }

    [Fact]
    public async Task Update_of_a_deleted_token_returns_NotFound()
    {
        var token = await _db.AddTokenAsync(_account.Id, "Alice", _workload.Id, T0, Ct);
        Assert.Equal(SaveResult.Saved, await _db.Tokens.DeleteTokenAsync(_account.Id, token.Id, null, Ct));
        token.Rename("Ghost", T0.AddMinutes(1));

        Assert.Equal(SaveResult.NotFound, await _db.Tokens.UpdateTokenAsync(token, Ct));
        Assert.Null(await _db.Tokens.GetTokenAsync(_account.Id, token.Id, Ct));
    }

    [Fact]
    public async Task Delete_with_a_wrong_expected_version_returns_VersionConflict_and_keeps_the_row_then_the_right_one_deletes()
    {
        var token = await _db.AddTokenAsync(_account.Id, "Alice", _workload.Id, T0, Ct);

        Assert.Equal(SaveResult.VersionConflict, await _db.Tokens.DeleteTokenAsync(_account.Id, token.Id, 2, Ct));
        TokenAssert.AllPropertiesEqual(token, await _db.Tokens.GetTokenAsync(_account.Id, token.Id, Ct));

        Assert.Equal(SaveResult.Saved, await _db.Tokens.DeleteTokenAsync(_account.Id, token.Id, 1, Ct));
        Assert.Null(await _db.Tokens.GetTokenAsync(_account.Id, token.Id, Ct));
        Assert.Null(await _db.Tokens.FindTokenAsync(token.Hash, Ct));
    }

    [Fact]
    public async Task Delete_of_a_missing_token_returns_NotFound()
    {
        var token = await _db.AddTokenAsync(_account.Id, "Alice", _workload.Id, T0, Ct);
        Assert.Equal(SaveResult.Saved, await _db.Tokens.DeleteTokenAsync(_account.Id, token.Id, null, Ct));

        Assert.Equal(SaveResult.NotFound, await _db.Tokens.DeleteTokenAsync(_account.Id, token.Id, null, Ct));
        Assert.Equal(SaveResult.NotFound, await _db.Tokens.DeleteTokenAsync(_account.Id, token.Id, 1, Ct));
        Assert.Equal(SaveResult.NotFound, await _db.Tokens.DeleteTokenAsync(_account.Id, Ids.New(Ids.Token, T0), null, Ct));
    }

    [Fact]
    public async Task Delete_with_another_accounts_id_returns_NotFound_and_keeps_the_token()
    {
        var token = await _db.AddTokenAsync(_account.Id, "Alice", _workload.Id, T0, Ct);

        Assert.Equal(SaveResult.NotFound, await _db.Tokens.DeleteTokenAsync(_other.Id, token.Id, null, Ct));
        Assert.Equal(SaveResult.NotFound, await _db.Tokens.DeleteTokenAsync(_other.Id, token.Id, 1, Ct));

        TokenAssert.AllPropertiesEqual(token, await _db.Tokens.GetTokenAsync(_account.Id, token.Id, Ct));
    }

    [Fact]
    public async Task RecordUsage_adds_to_the_count_and_moves_lastUsedAt_forward_only_without_changing_the_version()
    {
        var token = await _db.AddTokenAsync(_account.Id, "Alice", _workload.Id, T0, Ct);

        await _db.Tokens.RecordUsageAsync([new TokenUsage(token.Id, 1, T0.AddMinutes(10))], Ct);
        var afterFirst = await _db.Tokens.GetTokenAsync(_account.Id, token.Id, Ct);
        Assert.NotNull(afterFirst);
        Assert.Equal(1, afterFirst.UseCount);
        Assert.Equal(T0.AddMinutes(10), afterFirst.LastUsedAt);

        await _db.Tokens.RecordUsageAsync([new TokenUsage(token.Id, 5, T0.AddMinutes(20))], Ct);
        var afterForward = await _db.Tokens.GetTokenAsync(_account.Id, token.Id, Ct);
        Assert.NotNull(afterForward);
        Assert.Equal(6, afterForward.UseCount);
        Assert.Equal(T0.AddMinutes(20), afterForward.LastUsedAt);

        await _db.Tokens.RecordUsageAsync([new TokenUsage(token.Id, 2, T0.AddMinutes(15))], Ct);
        var afterBackward = await _db.Tokens.GetTokenAsync(_account.Id, token.Id, Ct);
        Assert.NotNull(afterBackward);
        Assert.Equal(8, afterBackward.UseCount);
        Assert.Equal(T0.AddMinutes(20), afterBackward.LastUsedAt);

        Assert.Equal(token.Version, afterBackward.Version);
        Assert.Equal(token.UpdatedAt, afterBackward.UpdatedAt);
    }

    [Fact]
    public async Task RecordUsage_writes_many_tokens_in_one_call_adding_repeated_ids_and_skipping_missing_ones()
    {
        // A flush writes up to 1,000 tokens in one statement: many rows, names included, in one call.
        const int count = 250;
        var tokens = new List<QueryToken>();
        for (var i = 0; i < count; i++)
        {
            tokens.Add(await _db.AddTokenAsync(_account.Id, $"user-{i}", _workload.Id, T0, Ct));
        }
        var untouched = await _db.AddTokenAsync(_account.Id, "untouched", _workload.Id, T0, Ct);
        await _db.Tokens.RecordUsageAsync([new TokenUsage(tokens[0].Id, 10, T0.AddMinutes(30))], Ct);

        var usages = tokens.Select((t, i) => new TokenUsage(t.Id, i + 1, T0.AddMinutes(1 + (i % 50)))).ToList();
        usages.Add(new TokenUsage(tokens[3].Id, 100, T0.AddHours(2)));          // the same token again: added, latest wins
        usages.Add(new TokenUsage(tokens[4].Id, 100, T0.AddSeconds(1)));        // again, earlier: added, time kept
        usages.Add(new TokenUsage("tok_00000000000000000000000000000000", 5, T0)); // deleted meanwhile: skipped
        await _db.Tokens.RecordUsageAsync(usages, Ct);

        for (var i = 0; i < count; i++)
        {
            var stored = await _db.Tokens.GetTokenAsync(_account.Id, tokens[i].Id, Ct);
            Assert.NotNull(stored);
            var (expectedUses, expectedAt) = i switch
            {
                0 => (10 + 1, T0.AddMinutes(30)),
                3 => (4 + 100, T0.AddHours(2)),
                4 => (5 + 100, T0.AddMinutes(5)),
                _ => (i + 1, T0.AddMinutes(1 + (i % 50))),
            };
            Assert.Equal(expectedUses, stored.UseCount);
            Assert.Equal(expectedAt, stored.LastUsedAt);
            Assert.Equal(tokens[i].Version, stored.Version);
        }
        var other = await _db.Tokens.GetTokenAsync(_account.Id, untouched.Id, Ct);
        Assert.NotNull(other);
        Assert.Equal(0, other.UseCount);
        Assert.Null(other.LastUsedAt);
    }

    [Fact]
    public async Task RecordUsage_does_not_break_a_later_version_checked_update()
    {
        var token = await _db.AddTokenAsync(_account.Id, "Alice", _workload.Id, T0, Ct);
        await _db.Tokens.RecordUsageAsync([new TokenUsage(token.Id, 1, T0.AddMinutes(1))], Ct);

        token.Rename("Alice B.", T0.AddMinutes(2));

        Assert.Equal(SaveResult.Saved, await _db.Tokens.UpdateTokenAsync(token, Ct));
        var stored = await _db.Tokens.GetTokenAsync(_account.Id, token.Id, Ct);
        Assert.NotNull(stored);
        Assert.Equal(1, stored.UseCount);
        Assert.Equal(T0.AddMinutes(1), stored.LastUsedAt);
    }

    [Fact]
    public async Task The_database_files_never_contain_a_plaintext_secret()
    {
        const string marker = "Marker-token-name-7f3a9c";
        var secrets = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var secret = SecretFormat.Generate(SecretKind.QueryToken);
            secrets.Add(secret);
            var token = QueryToken.Issue(_account.Id, $"{marker}-{i}", "", _workload.Id, secret, T0, TempDatabase.Lifetime);
            Assert.Equal(SaveResult.Saved, await _db.Tokens.InsertTokenAsync(token, Ct));
        }
        var licenseSecret = SecretFormat.Generate(SecretKind.LicenseKey);
        secrets.Add(licenseSecret);
        await _db.Accounts.InsertLicenseKeyAsync(LicenseKey.Issue(_account.Id, "Second key", licenseSecret, T0), Ct);

        var contents = await _db.ReadEverythingStoredAsync(Ct);

        // The scan works: what was written in plain text is found.
        for (var i = 0; i < 5; i++)
        {
            Assert.Contains($"{marker}-{i}", contents, StringComparison.Ordinal);
        }
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, contents, StringComparison.Ordinal);
            Assert.DoesNotContain(secret.Substring(SecretFormat.PrefixLength, SecretFormat.BodyLength), contents, StringComparison.Ordinal);
        }
    }
}
