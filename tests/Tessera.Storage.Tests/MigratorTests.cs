using Dapper;
using Tessera.Core;
using Tessera.Storage.Sql;

namespace Tessera.Storage.Tests;

public sealed class MigratorTests : IAsyncLifetime
{
    private readonly TempDatabase _db = TempDatabase.CreateEmpty();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task The_first_run_applies_every_version_in_order_and_the_second_applies_nothing()
    {
        var migrator = new Migrator(_db.Database, TimeProvider.System);

        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], await migrator.MigrateAsync(Ct));
        Assert.Empty(await migrator.MigrateAsync(Ct));

        await using var connection = await _db.Database.OpenAsync(Ct);
        var versions = await connection.QueryAsync<long>("SELECT version FROM schema_migrations ORDER BY version");
        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L, 20L], versions);
    }

    [Fact]
    public async Task Refreshing_statistics_gives_the_planner_figures_for_the_token_indexes()
    {
        await new Migrator(_db.Database, TimeProvider.System).MigrateAsync(Ct);
        var account = await _db.AddAccountAsync("Provider", DateTimeOffset.UnixEpoch, Ct);
        await _db.AddTokenAsync(account.Id, "Alice", null, DateTimeOffset.UnixEpoch, Ct);

        await _db.Database.RefreshStatisticsAsync(Ct);

        await using var connection = await _db.Database.OpenAsync(Ct);
        var indexes = (await connection.QueryAsync<string>("SELECT idx FROM sqlite_stat1 WHERE tbl = 'query_tokens'")).ToList();
        Assert.Contains("ix_query_tokens_name", indexes);
        Assert.Contains("ix_query_tokens_expires", indexes);
    }

    [Fact]
    public async Task The_database_is_in_wal_mode_after_migrating()
    {
        await new Migrator(_db.Database, TimeProvider.System).MigrateAsync(Ct);

        await using var connection = await _db.Database.OpenAsync(Ct);
        var mode = await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode");

        Assert.Equal("wal", mode);
    }

    [Fact]
    public async Task The_schema_has_the_tables_and_the_change_feed()
    {
        await new Migrator(_db.Database, TimeProvider.System).MigrateAsync(Ct);

        await using var connection = await _db.Database.OpenAsync(Ct);
        var tables = (await connection.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table'")).ToHashSet(StringComparer.Ordinal);

        Assert.Superset(new HashSet<string>(StringComparer.Ordinal) { "accounts", "license_keys", "workloads", "query_tokens", "token_changes", "audit_entries", "revoked_console_sessions", "usage_hours", "token_imports", "token_import_rows", "removed_members", "schema_migrations" }, tables);
    }

    /// <summary>
    /// Migration 0020 keys the names already stored by account: each account's names in a range of its own, whatever
    /// order they came in, all still found, and a name added afterwards takes its account's next key.
    /// </summary>
    [Fact]
    public async Task Names_stored_before_migration_0020_are_keyed_by_account_and_still_found()
    {
        await using var connection = await _db.Database.OpenAsync(Ct);
        // A database as it was before 0020: names keyed in the order they came, accounts interleaved.
        await connection.ExecuteAsync(
            "CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
        foreach (var migration in _db.Database.Migrations.Where(m => m.Version < 20))
        {
            await connection.ExecuteAsync(migration.Script);
            await connection.ExecuteAsync("INSERT INTO schema_migrations VALUES (@Version, @Name, 0)", new { migration.Version, migration.Name });
        }
        var now = TimeProvider.System.GetUtcNow();
        var accounts = new[] { (await _db.AddAccountAsync("First", now, Ct)).Id, (await _db.AddAccountAsync("Second", now, Ct)).Id };
        for (var i = 0; i < 6; i++)
        {
            await _db.AddTokenAsync(accounts[i % 2], $"Shared-{i}", null, now, Ct);
        }
        Assert.Equal([20], await new Migrator(_db.Database, TimeProvider.System).MigrateAsync(Ct));
        await _db.AddTokenAsync(accounts[0], "shared-late", null, now, Ct);

        var keys = (await connection.QueryAsync<(long Id, string AccountId)>("SELECT id, account_id FROM query_token_names ORDER BY id")).ToList();
        Assert.Equal(7, keys.Count);
        var byAccount = keys.GroupBy(k => k.AccountId).ToDictionary(g => g.Key, g => g.Select(k => k.Id).ToList());
        var ranges = accounts.Select(a => Assert.Single(byAccount[a].Select(id => id >> 40).Distinct())).ToList();
        Assert.NotEqual(ranges[0], ranges[1]);
        Assert.Equal(Enumerable.Range(1, 4).Select(i => (ranges[0] << 40) + i), byAccount[accounts[0]]);
        foreach (var (account, expected) in new[] { (accounts[0], new[] { "Shared-0", "Shared-2", "Shared-4", "shared-late" }), (accounts[1], ["Shared-1", "Shared-3", "Shared-5"]) })
        {
            var page = await _db.Tokens.ListTokensAsync(account, new Core.Storage.TokenQuery { Now = now, Limit = 50, NameContains = "hared", Sort = Core.Tokens.TokenSort.Name }, Ct);
            Assert.Equal(expected.Order(StringComparer.OrdinalIgnoreCase), page.Items.Select(t => t.Name));
        }
    }

    [Fact]
    public async Task A_schema_newer_than_this_build_is_refused()
    {
        var migrator = new Migrator(_db.Database, TimeProvider.System);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], await migrator.MigrateAsync(Ct));
        await using (var connection = await _db.Database.OpenAsync(Ct))
        {
            await connection.ExecuteAsync("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)");
        }

        var error = await Assert.ThrowsAsync<TesseraConfigurationException>(() => migrator.MigrateAsync(Ct));

        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fresh_database_marked_with_a_newer_schema_is_refused_without_applying_anything()
    {
        await using (var connection = await _db.Database.OpenAsync(Ct))
        {
            await connection.ExecuteAsync(
                "CREATE TABLE schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL);" +
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)");
        }

        var error = await Assert.ThrowsAsync<TesseraConfigurationException>(() => new Migrator(_db.Database, TimeProvider.System).MigrateAsync(Ct));

        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
        await using var check = await _db.Database.OpenAsync(Ct);
        Assert.Equal(0L, await check.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM sqlite_master WHERE name = 'accounts'"));
    }
}
