using Dapper;
using Tessera.Storage.Sql;

namespace Tessera.Storage.Tests;

/// <summary>
/// PostgreSQL: a list's statements are planned for their values on every call (<see cref="SqlDatabase.OpenForListsAsync"/>),
/// never by the generic plan PostgreSQL would keep for a prepared statement after five calls, and the setting does not stay
/// with the pooled connection; but the seeks of a range's days keep theirs (<see cref="SqlDatabase.PlannedOnce"/>).
/// </summary>
internal static class ListPlanning
{
    /// <summary>One prepared statement's plans after the calls: whether it is a seek of a range's days, and its plan counts.</summary>
    public readonly record struct Plans(bool DaysSeek, long Generic, long Custom);

    /// <summary>
    /// Runs <paramref name="list"/> ten times on a database whose pool holds one connection (so every call runs in the same
    /// session, on its prepared statements), then answers the plans of the prepared statements reading
    /// <paramref name="table"/> and the plan cache mode the connection's next user sees.
    /// </summary>
    public static async Task<(IReadOnlyList<Plans> Statements, string NextUsersMode)> RunTenCallsAsync(string connectionString, string table,
        Func<SqlDatabase, Task> list, CancellationToken cancellationToken)
    {
        var oneConnection = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { MinPoolSize = 0, MaxPoolSize = 1 };
        await using var database = new PostgresDatabase(oneConnection.ConnectionString, PostgresDatabase.DefaultTimeout);
        for (var call = 0; call < 10; call++)
        {
            await list(database);
        }
        await using var connection = await database.OpenAsync(cancellationToken);
        var statements = await connection.QueryAsync<Plans>(new CommandDefinition(
            "SELECT statement LIKE 'WITH RECURSIVE days%' AS DaysSeek, generic_plans AS Generic, custom_plans AS Custom FROM pg_prepared_statements WHERE statement LIKE @reads",
            new { reads = $"%FROM {table}%" }, cancellationToken: cancellationToken));
        var mode = await connection.ExecuteScalarAsync<string>(new CommandDefinition("SHOW plan_cache_mode", cancellationToken: cancellationToken));
        return ([.. statements], mode!);
    }

    /// <summary>
    /// <see cref="RunTenCallsAsync"/>, then asserts that the prepared statements reading <paramref name="table"/> were never
    /// given a generic plan (but the seeks of a range's days, which are planned once), and that the connection's next user
    /// sees PostgreSQL's default.
    /// </summary>
    public static async Task AssertEachCallPlannedForItsValuesAsync(string connectionString, string table, Func<SqlDatabase, Task> list,
        CancellationToken cancellationToken)
    {
        var (statements, mode) = await RunTenCallsAsync(connectionString, table, list, cancellationToken);
        var pages = statements.Where(s => !s.DaysSeek).ToList();
        var (generic, custom) = (pages.Sum(s => s.Generic), pages.Sum(s => s.Custom));
        Assert.True(generic == 0 && custom >= 8, $"generic plans {generic}, custom plans {custom}");
        Assert.Equal("auto", mode);
    }
}
