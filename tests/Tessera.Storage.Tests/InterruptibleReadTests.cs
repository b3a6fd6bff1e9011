using Dapper;

namespace Tessera.Storage.Tests;

/// <summary>
/// A read with a time budget (the console's count of matches, ADR 0021) is stopped mid-statement when its token fires,
/// on both databases: SQLite through <c>sqlite3_interrupt</c>, PostgreSQL through Npgsql's cancellation.
/// </summary>
public abstract class InterruptibleReadTests(string provider)
{
    public sealed class OnSqlite() : InterruptibleReadTests(TempDatabase.Sqlite);

    public sealed class OnPostgres() : InterruptibleReadTests(TempDatabase.Postgres);

    /// <summary>One statement that runs for minutes: a count over billions of generated rows.</summary>
    private string Endless => provider == TempDatabase.Sqlite
        ? "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 4000000000) SELECT count(*) FROM n"
        : "SELECT count(*) FROM generate_series(1::bigint, 4000000000::bigint)";

    [Fact]
    public async Task A_statement_under_way_is_stopped_when_its_token_fires_and_the_connection_answers_the_next_one()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = await TempDatabase.CreateMigratedAsync(provider, ct);
        await using var connection = await db.Database.OpenAsync(ct);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        budget.CancelAfter(TimeSpan.FromMilliseconds(200));

        var stopped = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => db.Database.InterruptibleAsync(connection,
            () => connection.ExecuteScalarAsync<long>(new CommandDefinition(Endless, cancellationToken: budget.Token)), budget.Token));

        Assert.Equal(budget.Token, stopped.CancellationToken);
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT 1", cancellationToken: ct)));
    }

    [Fact]
    public async Task A_read_that_ends_within_its_budget_answers_and_a_later_firing_touches_nothing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = await TempDatabase.CreateMigratedAsync(provider, ct);
        await using var connection = await db.Database.OpenAsync(ct);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);

        var answer = await db.Database.InterruptibleAsync(connection,
            () => connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT 41 + 1", cancellationToken: budget.Token)), budget.Token);
        await budget.CancelAsync();

        Assert.Equal(42L, answer);
        Assert.Equal(3L, await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT 1 + 2", cancellationToken: ct)));
    }
}
