using System.Collections.Concurrent;
using Dapper;
using Npgsql;
using Tessera.Storage.Sql;

namespace Tessera.Testing;

/// <summary>
/// The PostgreSQL server the tests run against, named by TESSERA_TEST_POSTGRES (an admin connection
/// string; scripts/test.sh starts a throwaway cluster and sets it). Without it the PostgreSQL cases are
/// skipped, visibly, except under CI=true, where they fail. Databases are cloned from one migrated
/// template per test process (CREATE DATABASE … TEMPLATE, ~60 ms) and reused after truncation.
/// </summary>
public static class TestPostgres
{
    public const string Variable = "TESSERA_TEST_POSTGRES";

    private static readonly Lazy<Task<string>> Template = new(CreateTemplateAsync);
    private static readonly ConcurrentBag<string> Idle = [];
    private static readonly ConcurrentBag<string> Created = [];

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The admin connection string; skips the calling test when there is none (fails under CI=true).</summary>
    public static string Require()
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(value))
        {
            return value;
        }
        if (InCi)
        {
            throw new InvalidOperationException($"CI=true and {Variable} is not set: PostgreSQL is required in CI (scripts/test.sh starts one).");
        }
        Assert.Skip($"PostgreSQL is not available: set {Variable} to an admin connection string, or run scripts/test.sh, which starts one.");
        return value!;
    }

    /// <summary>A new database with the current schema, cloned from the template; the caller drops it (<see cref="DropAsync"/>).</summary>
    public static async Task<string> CreateMigratedAsync()
    {
        var template = await Template.Value;
        return await CreateAsync($"TEMPLATE {template}");
    }

    /// <summary>A new database without any schema.</summary>
    public static Task<string> CreateEmptyAsync() => CreateAsync("TEMPLATE template0");

    /// <summary>A migrated database with no rows, reused across tests: hand it back with <see cref="Return"/>.</summary>
    public static async Task<string> RentMigratedAsync()
    {
        if (!Idle.TryTake(out var connectionString))
        {
            return await CreateMigratedAsync();
        }
        await using var connection = Unpooled(connectionString);
        await connection.OpenAsync();
        var tables = (await connection.QueryAsync<string>(
            "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'")).ToList();
        await connection.ExecuteAsync($"TRUNCATE {string.Join(", ", tables)} RESTART IDENTITY CASCADE");
        return connectionString;
    }

    public static void Return(string connectionString) => Idle.Add(connectionString);

    public static async Task DropAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await using var admin = Unpooled(Require());
        await admin.OpenAsync();
        await admin.ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    }

    /// <summary>Drops what this process created (called once, when the test assembly finishes).</summary>
    public static async Task DropEverythingAsync()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Variable)))
        {
            return;
        }
        foreach (var connectionString in Created)
        {
            // Housekeeping, not a test: one failed drop (a CI run under load, its cause lost with the results directory) left
            // every test passed and the run red. A database left behind is named, and tried once more; the CI cluster is
            // thrown away with whatever it holds.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await DropAsync(connectionString);
                    break;
                }
                catch (Exception e) when ((e is NpgsqlException or TimeoutException) && attempt < 2)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1));
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException)
                {
                    await Console.Error.WriteLineAsync(
                        $"TestPostgres: {new NpgsqlConnectionStringBuilder(connectionString).Database} was not dropped: {e.GetType().Name}: {e.Message}");
                    break;
                }
            }
        }
    }

    private static async Task<string> CreateAsync(string source)
    {
        var admin = Require();
        var name = $"tessera_test_{Guid.NewGuid():N}";
        await using (var connection = Unpooled(admin))
        {
            await connection.OpenAsync();
            await connection.ExecuteAsync($"CREATE DATABASE {name} {source} ENCODING 'UTF8'");
        }
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
        Created.Add(connectionString);
        return connectionString;
    }

    private static NpgsqlConnection Unpooled(string connectionString) =>
        new(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);

    private static async Task<string> CreateTemplateAsync()
    {
        var connectionString = await CreateEmptyAsync();
        await using (var database = new PostgresDatabase(connectionString, PostgresDatabase.DefaultTimeout))
        {
            await new Migrator(database, TimeProvider.System).MigrateAsync(CancellationToken.None);
        }
        // Disposing the data source closed its connections: CREATE DATABASE … TEMPLATE refuses a template in use.
        return new NpgsqlConnectionStringBuilder(connectionString).Database!;
    }
}
