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

        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19], await migrator.MigrateAsync(Ct));
        Assert.Empty(await migrator.MigrateAsync(Ct));

        await using var connection = await _db.Database.OpenAsync(Ct);
        var versions = await connection.QueryAsync<long>("SELECT version FROM schema_migrations ORDER BY version");
        Assert.Equal([1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L], versions);
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

    [Fact]
    public async Task A_schema_newer_than_this_build_is_refused()
    {
        var migrator = new Migrator(_db.Database, TimeProvider.System);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19], await migrator.MigrateAsync(Ct));
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
