using Dapper;
using Tessera.Core;
using Tessera.Storage.Sql;

namespace Tessera.Storage.Tests;

/// <summary>Migrations on PostgreSQL, where several servers may start at once against one database.</summary>
public sealed class PostgresMigratorTests : IAsyncLifetime
{
    private readonly string _admin = TestPostgres.Require();
    private string _connectionString = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _connectionString = await TestPostgres.CreateEmptyAsync();

    public async ValueTask DisposeAsync() => await TestPostgres.DropAsync(_connectionString);

    [Fact]
    public async Task The_first_run_applies_every_version_and_creates_the_tables_and_the_second_applies_nothing()
    {
        await using var database = new PostgresDatabase(_connectionString, PostgresDatabase.DefaultTimeout);
        var migrator = new Migrator(database, TimeProvider.System);

        Assert.Equal(database.Migrations.Select(m => m.Version), await migrator.MigrateAsync(Ct));
        Assert.Empty(await migrator.MigrateAsync(Ct));

        await using var connection = await database.OpenAsync(Ct);
        var tables = (await connection.QueryAsync<string>("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).ToHashSet(StringComparer.Ordinal);
        Assert.Superset(new HashSet<string>(StringComparer.Ordinal) { "accounts", "license_keys", "workloads", "query_tokens", "revoked_console_sessions", "schema_migrations" }, tables);
    }

    [Fact]
    public async Task Servers_migrating_at_once_apply_each_version_exactly_once_without_an_error()
    {
        // Six servers (six pools) start together on an empty database.
        var databases = Enumerable.Range(0, 6).Select(_ => new PostgresDatabase(_connectionString, PostgresDatabase.DefaultTimeout)).ToList();
        try
        {
            using var start = new SemaphoreSlim(0);
            var runs = databases.Select(async d =>
            {
                await start.WaitAsync(Ct);
                return await new Migrator(d, TimeProvider.System).MigrateAsync(Ct);
            }).ToList();
            start.Release(databases.Count);
            var applied = await Task.WhenAll(runs);

            Assert.Equal(databases[0].Migrations.Select(m => m.Version), applied.SelectMany(a => a).Order());
            Assert.Single(applied, a => a.Count > 0);
            await using var connection = await databases[0].OpenAsync(Ct);
            Assert.Equal(databases[0].Migrations.Count, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations"));
        }
        finally
        {
            foreach (var database in databases)
            {
                await database.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_schema_newer_than_this_build_is_refused()
    {
        await using var database = new PostgresDatabase(_connectionString, PostgresDatabase.DefaultTimeout);
        var migrator = new Migrator(database, TimeProvider.System);
        Assert.NotEmpty(await migrator.MigrateAsync(Ct));
        await using (var connection = await database.OpenAsync(Ct))
        {
            await connection.ExecuteAsync("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)");
        }

        var error = await Assert.ThrowsAsync<TesseraConfigurationException>(() => migrator.MigrateAsync(Ct));

        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_fails_within_the_configured_timeout_with_a_database_error()
    {
        // A port nobody listens on: refused at once, reported as a database error (503 upstream), not a hang.
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(_admin) { Port = 1, Database = "tessera" };
        await using var database = new PostgresDatabase(builder.ConnectionString, TimeSpan.FromSeconds(1));

        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => database.OpenAsync(Ct));
    }
}
