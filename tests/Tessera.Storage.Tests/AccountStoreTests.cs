using System.Data.Common;
using Tessera.Core.Accounts;
using Tessera.Core.Secrets;
using Tessera.Core.Storage;

namespace Tessera.Storage.Tests;

/// <summary>One test body, two databases: <see cref="OnSqlite"/> and <see cref="OnPostgres"/>.</summary>
public abstract class AccountStoreTests(string provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : AccountStoreTests(TempDatabase.Sqlite);

    public sealed class OnPostgres() : AccountStoreTests(TempDatabase.Postgres);

    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private TempDatabase _db = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _db = await TempDatabase.CreateMigratedAsync(provider, Ct);

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task CreateAccount_stores_the_account_and_its_first_key()
    {
        Assert.False(await _db.Accounts.AnyAccountAsync(Ct));
        var secret = SecretFormat.Generate(SecretKind.LicenseKey);
        var account = Account.Open("Acme AI", T0.AddMilliseconds(5));
        var key = LicenseKey.Issue(account.Id, "Initial key", secret, T0.AddMilliseconds(5));

        await _db.Accounts.CreateAccountAsync(account, key, Ct);

        Assert.True(await _db.Accounts.AnyAccountAsync(Ct));
        var stored = await _db.Accounts.GetAccountAsync(account.Id, Ct);
        Assert.NotNull(stored);
        Assert.Equal((account.Id, account.Name, account.CreatedAt), (stored.Id, stored.Name, stored.CreatedAt));
        var storedKey = Assert.Single(await _db.Accounts.ListLicenseKeysAsync(account.Id, Ct));
        AssertSame(key, storedKey);
    }

    [Fact]
    public async Task CreateAccount_is_atomic_when_the_first_key_cannot_be_stored()
    {
        var secret = SecretFormat.Generate(SecretKind.LicenseKey);
        var first = Account.Open("First", T0);
        await _db.Accounts.CreateAccountAsync(first, LicenseKey.Issue(first.Id, "Initial key", secret, T0), Ct);
        Assert.NotNull(await _db.Accounts.GetAccountAsync(first.Id, Ct));

        // The same secret again: its hash is unique, so the key insert fails after the account insert.
        var second = Account.Open("Second", T0.AddSeconds(1));
        var error = await Assert.ThrowsAnyAsync<DbException>(() =>
            _db.Accounts.CreateAccountAsync(second, LicenseKey.Issue(second.Id, "Initial key", secret, T0.AddSeconds(1)), Ct));
        Assert.True(_db.Database.IsUniqueViolation(error), error.Message);

        Assert.Null(await _db.Accounts.GetAccountAsync(second.Id, Ct));
        Assert.Empty(await _db.Accounts.ListLicenseKeysAsync(second.Id, Ct));
    }

    [Fact]
    public async Task GetAccount_of_an_unknown_id_returns_null()
    {
        var account = await _db.AddAccountAsync("Acme", T0, Ct);
        Assert.NotNull(await _db.Accounts.GetAccountAsync(account.Id, Ct));

        Assert.Null(await _db.Accounts.GetAccountAsync(Account.Open("Never stored", T0).Id, Ct));
    }

    [Fact]
    public async Task FindLicenseKey_by_hash_returns_the_key_and_null_for_an_unknown_hash()
    {
        var account = await _db.AddAccountAsync("Acme", T0, Ct);
        var secret = SecretFormat.Generate(SecretKind.LicenseKey);
        var key = LicenseKey.Issue(account.Id, "CI key", secret, T0.AddMinutes(1));
        await _db.Accounts.InsertLicenseKeyAsync(key, Ct);

        var found = await _db.Accounts.FindLicenseKeyAsync(SecretHash.Of(secret), Ct);

        Assert.NotNull(found);
        AssertSame(key, found);
        Assert.Null(await _db.Accounts.FindLicenseKeyAsync(SecretHash.Of(SecretFormat.Generate(SecretKind.LicenseKey)), Ct));
    }

    [Fact]
    public async Task Revoking_a_key_while_another_is_active_saves_and_sets_revokedAt()
    {
        var account = await _db.AddAccountAsync("Acme", T0, Ct);
        var secret = SecretFormat.Generate(SecretKind.LicenseKey);
        var second = LicenseKey.Issue(account.Id, "Second", secret, T0);
        await _db.Accounts.InsertLicenseKeyAsync(second, Ct);

        Assert.Equal(SaveResult.Saved, await _db.Accounts.RevokeLicenseKeyAsync(account.Id, second.Id, T0.AddHours(1), Ct));

        var stored = await _db.Accounts.FindLicenseKeyAsync(SecretHash.Of(secret), Ct);
        Assert.NotNull(stored);
        Assert.Equal(T0.AddHours(1), stored.RevokedAt);
        Assert.True(stored.IsRevoked);
    }

    [Fact]
    public async Task Revoking_the_last_active_key_is_refused_and_leaves_it_active()
    {
        var account = await _db.AddAccountAsync("Acme", T0, Ct);
        var second = LicenseKey.Issue(account.Id, "Second", SecretFormat.Generate(SecretKind.LicenseKey), T0);
        await _db.Accounts.InsertLicenseKeyAsync(second, Ct);
        Assert.Equal(SaveResult.Saved, await _db.Accounts.RevokeLicenseKeyAsync(account.Id, second.Id, T0.AddHours(1), Ct));
        var initial = (await _db.Accounts.ListLicenseKeysAsync(account.Id, Ct)).Single(k => k.Id != second.Id);

        Assert.Equal(SaveResult.LastActiveKey, await _db.Accounts.RevokeLicenseKeyAsync(account.Id, initial.Id, T0.AddHours(2), Ct));

        var keys = await _db.Accounts.ListLicenseKeysAsync(account.Id, Ct);
        Assert.Null(keys.Single(k => k.Id == initial.Id).RevokedAt);
    }

    [Fact]
    public async Task Two_concurrent_revocations_of_the_only_two_active_keys_leave_one_active()
    {
        var account = await _db.AddAccountAsync("Acme", T0, Ct);
        var second = LicenseKey.Issue(account.Id, "Second", SecretFormat.Generate(SecretKind.LicenseKey), T0);
        await _db.Accounts.InsertLicenseKeyAsync(second, Ct);
        var ids = (await _db.Accounts.ListLicenseKeysAsync(account.Id, Ct)).Select(k => k.Id).ToList();
        Assert.Equal(2, ids.Count);

        var results = await Task.WhenAll(ids.Select(id => Task.Run(() => _db.Accounts.RevokeLicenseKeyAsync(account.Id, id, T0.AddHours(1), Ct), Ct)));

        Assert.Equal([SaveResult.Saved, SaveResult.LastActiveKey], results.Order());
        Assert.Single(await _db.Accounts.ListLicenseKeysAsync(account.Id, Ct), k => k.RevokedAt is null);
    }

    [Fact]
    public async Task Revoking_an_already_revoked_key_is_Saved_and_keeps_the_first_revocation_instant()
    {
        var account = await _db.AddAccountAsync("Acme", T0, Ct);
        var second = LicenseKey.Issue(account.Id, "Second", SecretFormat.Generate(SecretKind.LicenseKey), T0);
        await _db.Accounts.InsertLicenseKeyAsync(second, Ct);
        Assert.Equal(SaveResult.Saved, await _db.Accounts.RevokeLicenseKeyAsync(account.Id, second.Id, T0.AddHours(1), Ct));

        Assert.Equal(SaveResult.Saved, await _db.Accounts.RevokeLicenseKeyAsync(account.Id, second.Id, T0.AddHours(2), Ct));

        var keys = await _db.Accounts.ListLicenseKeysAsync(account.Id, Ct);
        Assert.Equal(T0.AddHours(1), keys.Single(k => k.Id == second.Id).RevokedAt);
    }

    [Fact]
    public async Task Revoking_a_key_of_another_account_is_NotFound_and_changes_nothing()
    {
        var mine = await _db.AddAccountAsync("Acme", T0, Ct);
        var theirs = await _db.AddAccountAsync("Other", T0, Ct);
        var theirSecond = LicenseKey.Issue(theirs.Id, "Second", SecretFormat.Generate(SecretKind.LicenseKey), T0);
        await _db.Accounts.InsertLicenseKeyAsync(theirSecond, Ct);

        Assert.Equal(SaveResult.NotFound, await _db.Accounts.RevokeLicenseKeyAsync(mine.Id, theirSecond.Id, T0.AddHours(1), Ct));

        Assert.All(await _db.Accounts.ListLicenseKeysAsync(theirs.Id, Ct), k => Assert.Null(k.RevokedAt));
        Assert.Equal(SaveResult.Saved, await _db.Accounts.RevokeLicenseKeyAsync(theirs.Id, theirSecond.Id, T0.AddHours(1), Ct));
    }

    [Fact]
    public async Task Revoking_an_unknown_key_is_NotFound()
    {
        var account = await _db.AddAccountAsync("Acme", T0, Ct);

        Assert.Equal(SaveResult.NotFound, await _db.Accounts.RevokeLicenseKeyAsync(account.Id,
            LicenseKey.Issue(account.Id, "never stored", SecretFormat.Generate(SecretKind.LicenseKey), T0).Id, T0, Ct));
    }

    [Fact]
    public async Task Touch_moves_lastUsedAt_forward_and_never_backward()
    {
        var account = await _db.AddAccountAsync("Acme", T0, Ct);
        var secret = SecretFormat.Generate(SecretKind.LicenseKey);
        var key = LicenseKey.Issue(account.Id, "CI key", secret, T0);
        await _db.Accounts.InsertLicenseKeyAsync(key, Ct);
        Assert.Null((await _db.Accounts.FindLicenseKeyAsync(key.Hash, Ct))!.LastUsedAt);

        await _db.Accounts.TouchLicenseKeyAsync(key.Id, T0.AddMinutes(10), Ct);
        Assert.Equal(T0.AddMinutes(10), (await _db.Accounts.FindLicenseKeyAsync(key.Hash, Ct))!.LastUsedAt);

        await _db.Accounts.TouchLicenseKeyAsync(key.Id, T0.AddMinutes(20), Ct);
        Assert.Equal(T0.AddMinutes(20), (await _db.Accounts.FindLicenseKeyAsync(key.Hash, Ct))!.LastUsedAt);

        await _db.Accounts.TouchLicenseKeyAsync(key.Id, T0.AddMinutes(15), Ct);
        Assert.Equal(T0.AddMinutes(20), (await _db.Accounts.FindLicenseKeyAsync(key.Hash, Ct))!.LastUsedAt);
    }

    [Fact]
    public async Task ListLicenseKeys_lists_only_the_accounts_keys_oldest_first()
    {
        var mine = await _db.AddAccountAsync("Acme", T0, Ct);
        var theirs = await _db.AddAccountAsync("Other", T0, Ct);
        var later = LicenseKey.Issue(mine.Id, "Later", SecretFormat.Generate(SecretKind.LicenseKey), T0.AddDays(1));
        await _db.Accounts.InsertLicenseKeyAsync(later, Ct);
        await _db.Accounts.InsertLicenseKeyAsync(LicenseKey.Issue(theirs.Id, "Theirs", SecretFormat.Generate(SecretKind.LicenseKey), T0), Ct);

        var keys = await _db.Accounts.ListLicenseKeysAsync(mine.Id, Ct);

        Assert.Equal(["Initial key", "Later"], keys.Select(k => k.Name));
        Assert.All(keys, k => Assert.Equal(mine.Id, k.AccountId));
    }

    [Fact]
    public async Task A_key_keeps_its_scopes_workloads_and_end_and_a_key_written_without_them_holds_everything()
    {
        var account = await _db.AddAccountAsync("Acme", T0, Ct);
        var grant = new KeyGrant([Scopes.TokensRead, Scopes.KeysManage], ["wl_0192f0c0a0b07c3e8e4e1a2b3c4d5e6f", "wl_0192f0c0a0b07c3e8e4e1a2b3c4d5e70"], T0.AddDays(7));
        var scoped = LicenseKey.Issue(account.Id, "scoped", SecretFormat.Generate(SecretKind.LicenseKey), T0, grant);
        await _db.Accounts.InsertLicenseKeyAsync(scoped, Ct);
        // As the code before migration 0006 wrote keys: without the new columns.
        await using (var connection = await _db.Database.OpenAsync(Ct))
        {
            await Dapper.SqlMapper.ExecuteAsync(connection,
                "INSERT INTO license_keys (id, account_id, name, key_hash, hint, created_at) VALUES ('lic_0192f0c0a0b07c3e8e4e1a2b3c4d5e6f', @account, 'old', @hash, 'tsl_…abcd', 0)",
                new { account = account.Id, hash = SecretHash.Of(SecretFormat.Generate(SecretKind.LicenseKey)).ToArray() });
        }

        var keys = (await _db.Accounts.ListLicenseKeysAsync(account.Id, Ct)).ToDictionary(k => k.Name);
        Assert.Equal(grant.Scopes, keys["scoped"].Scopes);
        Assert.Equal(grant.WorkloadIds, keys["scoped"].WorkloadIds);
        Assert.Equal(grant.ExpiresAt, keys["scoped"].ExpiresAt);
        Assert.Equal(grant.Scopes, (await _db.Accounts.FindLicenseKeyAsync(scoped.Hash, Ct))!.Scopes);
        foreach (var full in new[] { keys["old"], keys["Initial key"] })
        {
            Assert.Equal([Scopes.All], full.Scopes);
            Assert.Equal((null, null), (full.WorkloadIds, full.ExpiresAt));
        }
    }

    [Fact]
    public async Task The_last_key_that_manages_every_key_is_not_revoked_while_narrower_or_expired_keys_remain()
    {
        var account = await _db.AddAccountAsync("Acme", T0, Ct);
        var initial = Assert.Single(await _db.Accounts.ListLicenseKeysAsync(account.Id, Ct));
        var reader = LicenseKey.Issue(account.Id, "reader", SecretFormat.Generate(SecretKind.LicenseKey), T0, new KeyGrant([Scopes.TokensRead], null, null));
        var expiring = LicenseKey.Issue(account.Id, "expiring", SecretFormat.Generate(SecretKind.LicenseKey), T0, new KeyGrant([Scopes.All], null, T0.AddHours(1)));
        await _db.Accounts.InsertLicenseKeyAsync(reader, Ct);
        await _db.Accounts.InsertLicenseKeyAsync(expiring, Ct);

        // At T0 the expiring key still manages every key; an hour later it no longer counts.
        Assert.Equal(SaveResult.LastActiveKey, await _db.Accounts.RevokeLicenseKeyAsync(account.Id, initial.Id, T0.AddHours(1), Ct));
        Assert.Equal(SaveResult.Saved, await _db.Accounts.RevokeLicenseKeyAsync(account.Id, initial.Id, T0.AddMinutes(30), Ct));
        Assert.Equal(SaveResult.Saved, await _db.Accounts.RevokeLicenseKeyAsync(account.Id, reader.Id, T0.AddMinutes(31), Ct));
        Assert.Equal(SaveResult.LastActiveKey, await _db.Accounts.RevokeLicenseKeyAsync(account.Id, expiring.Id, T0.AddMinutes(32), Ct));
    }

    private static void AssertSame(LicenseKey expected, LicenseKey actual)
    {
        Assert.Equal(
            (expected.Id, expected.AccountId, expected.Name, expected.Hash, expected.Hint, expected.CreatedAt, expected.LastUsedAt, expected.RevokedAt),
            (actual.Id, actual.AccountId, actual.Name, actual.Hash, actual.Hint, actual.CreatedAt, actual.LastUsedAt, actual.RevokedAt));
    }
}
