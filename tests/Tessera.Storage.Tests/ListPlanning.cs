using Dapper;
using Tessera.Storage.Sql;

namespace Tessera.Storage.Tests;

/// <summary>
/// PostgreSQL: a list's statements are planned for their values on every call (<see cref="SqlDatabase.OpenForListsAsync"/>),
/// never by the generic plan PostgreSQL would keep for a prepared statement after five calls, and the setting does not stay
/// with the pooled connection.
/// </summary>
internal static class ListPlanning
{
    /// <summary>
    /// Runs <paramref name="list"/> ten times on a database whose pool holds one connection (so every call runs in the same
    /// session, on its prepared statements), then asserts that the prepared statements reading <paramref name="table"/> were
    /// never given a generic plan (but the seeks of a range's days, which are planned once: <see cref="SqlDatabase.PlannedOnceAsync"/>),
    /// and that the connection's next user sees PostgreSQL's default.
    /// </summary>
    public static async Task AssertEachCallPlannedForItsValuesAsync(string connectionString, string table, Func<SqlDatabase, Task> list,
        CancellationToken cancellationToken)
    {
        var oneConnection = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { MinPoolSize = 0, MaxPoolSize = 1 };
        await using var database = new PostgresDatabase(oneConnection.ConnectionString, PostgresDatabase.DefaultTimeout);
        for (var call = 0; call < 10; call++)
        {
            await list(database);
        }
        await using var connection = await database.OpenAsync(cancellationToken);
        var plans = await connection.QuerySingleAsync<(long Generic, long Custom)>(new CommandDefinition(
            "SELECT COALESCE(SUM(generic_plans), 0), COALESCE(SUM(custom_plans), 0) FROM pg_prepared_statements WHERE statement LIKE @reads AND statement NOT LIKE 'WITH RECURSIVE days%'",
            new { reads = $"%FROM {table}%" }, cancellationToken: cancellationToken));
        Assert.True(plans is { Generic: 0, Custom: >= 8 }, $"generic plans {plans.Generic}, custom plans {plans.Custom}");
        Assert.Equal("auto", await connection.ExecuteScalarAsync<string>(new CommandDefinition("SHOW plan_cache_mode", cancellationToken: cancellationToken)));
    }
}
