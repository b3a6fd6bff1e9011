using Dapper;
using Microsoft.Data.Sqlite;
using Tessera.Storage.Sql;

namespace Tessera.Storage.Tests;

/// <summary>
/// SQLite's planner figures are measured on a reading connection and stored in one short write (ADR 0012, "SQLite's
/// statistics at 10M"): the rows must be the ones ANALYZE writes, the reading must need no write lock, and every
/// connection must plan with the new figures.
/// </summary>
public sealed class SqliteStatisticsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private TempDatabase _db = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _db = await TempDatabase.CreateMigratedAsync(Ct);
        var account = (await _db.AddAccountAsync("Provider", Now, Ct)).Id;
        var other = (await _db.AddAccountAsync("Other provider", Now, Ct)).Id;
        var workloads = new List<string>();
        for (var i = 0; i < 30; i++)
        {
            workloads.Add((await _db.AddWorkloadAsync(account, $"model-{i:00}", Now, Ct)).Id);
        }
        await _db.FillLikeSeederAsync(account, [.. workloads], 0, 3_000, Now, Ct);
        await _db.FillLikeSeederAsync(other, [(await _db.AddWorkloadAsync(other, "model", Now, Ct)).Id], 3_000, 400, Now, Ct);
        await using var connection = await _db.Database.OpenAsync(Ct);
        // Audit entries of two accounts, actions and objects repeating at different rates.
        await connection.ExecuteAsync(new CommandDefinition("""
            WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < 2000)
            INSERT INTO audit_entries (id, account_id, occurred_at, actor_type, actor_id, action, object_id, before_json, after_json, client_ip)
            SELECT printf('aud_%06d', i), CASE WHEN i % 10 = 0 THEN @other ELSE @account END, @now - (2000 - i) * 60000,
                'license_key', 'key_1', 'token.action' || (i % 7), printf('tok_%04d', i % 300), NULL, NULL, NULL
            FROM s
            """, new { account, other, now = Now.ToUnixTimeMilliseconds() }, cancellationToken: Ct));
        // Hours of use (a WITHOUT ROWID table with indexes of its own), all of one account: an index whose first column
        // holds one value past the limit, read on past it to find nothing more.
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO usage_hours (account_id, token_id, workload_id, hour_start, uses)
            SELECT account_id, id, workload_id, @now - (rowid % 24) * 3600000, 1 + rowid % 5
            FROM query_tokens WHERE account_id = @account AND workload_id IS NOT NULL AND rowid % 4 = 0
            """, new { account, now = Now.ToUnixTimeMilliseconds() }, cancellationToken: Ct));
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    /// <summary>
    /// Every table's rows against ANALYZE's own on the same data: with limits far under the accounts' sizes (so the
    /// reading stops, skips past the first account, and counts what it did not read) and with the product's limits.
    /// </summary>
    [Theory]
    [InlineData(50, 120)]
    [InlineData(1_000, SqliteDatabase.ListStatisticsRows)]
    public async Task The_figures_measured_while_reading_are_the_ones_ANALYZE_writes(int entries, int listEntries)
    {
        int Limit(string table) => table is "query_tokens" or "audit_entries" ? listEntries : entries;
        await using var connection = (SqliteConnection)await _db.Database.OpenAsync(Ct);

        var measurement = await SqliteStatistics.MeasureAsync(connection, Limit, Ct);

        await connection.ExecuteAsync($"""
            PRAGMA analysis_limit = {entries}; ANALYZE;
            PRAGMA analysis_limit = {listEntries}; ANALYZE query_tokens; ANALYZE audit_entries; PRAGMA analysis_limit = 0;
            """);
        var analyzed = (await connection.QueryAsync<(string Table, string? Index, string Stat)>("SELECT tbl, idx, stat FROM sqlite_stat1"))
            .Where(r => !measurement.LeftToAnalyze.Contains(r.Table))
            .Select(r => $"{r.Table}|{r.Index}|{r.Stat}").Order(StringComparer.Ordinal).ToList();
        var measured = measurement.Rows.Select(r => $"{r.Table}|{r.Index}|{r.Stat}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(analyzed, measured);
        // The comparison covers the listed tables' indexes, the partial ones, the tables counted on their own, WITHOUT
        // ROWID tables and their indexes, and the figures of an account read past its first entries. Nothing is left to ANALYZE.
        Assert.Contains(measured, r => r.StartsWith("query_tokens|ix_query_tokens_workload_created|", StringComparison.Ordinal));
        Assert.Contains(measured, r => r.StartsWith("query_tokens|ix_query_tokens_cancelled_name|", StringComparison.Ordinal));
        Assert.Contains(measured, r => r.StartsWith("query_token_trigrams_docsize||", StringComparison.Ordinal));
        Assert.Contains(measured, r => r.StartsWith("audit_entries|", StringComparison.Ordinal));
        Assert.Contains(measured, r => r.StartsWith("usage_hours|usage_hours|", StringComparison.Ordinal));
        Assert.Contains(measured, r => r.StartsWith("usage_hours|ix_usage_hours_workload|", StringComparison.Ordinal));
        Assert.Contains(measured, r => r.StartsWith("query_token_trigrams_idx|query_token_trigrams_idx|", StringComparison.Ordinal));
        Assert.Empty(measurement.LeftToAnalyze);
    }

    /// <summary>The reading goes on while another connection holds the write lock, under which ANALYZE cannot even start.</summary>
    [Fact]
    public async Task Measuring_needs_no_write_lock()
    {
        var file = ((SqliteDatabase)_db.Database).FilePath;
        await using var writer = new SqliteConnection($"Data Source={file};Pooling=False");
        await writer.OpenAsync(Ct);
        await writer.ExecuteAsync("BEGIN IMMEDIATE; DELETE FROM audit_entries WHERE id = 'aud_000001';");
        try
        {
            await using var reader = (SqliteConnection)await _db.Database.OpenAsync(Ct);
            await reader.ExecuteAsync("PRAGMA busy_timeout = 0");

            var measurement = await SqliteStatistics.MeasureAsync(reader, SqliteDatabase.StatisticsRows, Ct);

            Assert.Contains(measurement.Rows, r => r is { Table: "query_tokens", Index: "ix_query_tokens_created" } && r.Stat.StartsWith("3400 ", StringComparison.Ordinal));
            // The same connection cannot ANALYZE: the lock it does without is really held.
            var busy = await Assert.ThrowsAsync<SqliteException>(() => reader.ExecuteAsync("ANALYZE query_tokens"));
            Assert.Equal(SQLitePCL.raw.SQLITE_BUSY, busy.SqliteErrorCode);
        }
        finally
        {
            await writer.ExecuteAsync("ROLLBACK");
        }
    }

    /// <summary>
    /// A pooled connection loads the planner's figures once, when it first reads the schema. After a refresh, a connection
    /// that had loaded other figures plans with the new ones: the pool is replaced.
    /// </summary>
    [Fact]
    public async Task Refreshed_figures_reach_the_connections_already_pooled()
    {
        const string query = "EXPLAIN QUERY PLAN SELECT * FROM choice WHERE a = 1 AND b = 1";
        await using (var connection = await _db.Database.OpenAsync(Ct))
        {
            // a has 10 values and b 1,000: the figures make b the better index.
            await connection.ExecuteAsync("""
                CREATE TABLE choice (a INTEGER NOT NULL, b INTEGER NOT NULL);
                CREATE INDEX ix_choice_a ON choice (a);
                CREATE INDEX ix_choice_b ON choice (b);
                WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 10000)
                INSERT INTO choice SELECT i % 10, i % 1000 FROM s;
                """);
            // Figures that say the opposite, loaded into this connection before it goes back to the pool.
            await connection.ExecuteAsync("""
                ANALYZE sqlite_schema;
                INSERT INTO sqlite_stat1 VALUES ('choice', 'ix_choice_a', '10000 1'), ('choice', 'ix_choice_b', '10000 5000');
                ANALYZE sqlite_schema;
                """);
            Assert.Contains("ix_choice_a", string.Concat((await connection.QueryAsync<(long, long, long, string Detail)>(query)).Select(p => p.Detail)));
        }

        await _db.Database.RefreshStatisticsAsync(Ct);

        await using var pooled = await _db.Database.OpenAsync(Ct);
        Assert.Contains("ix_choice_b", string.Concat((await pooled.QueryAsync<(long, long, long, string Detail)>(query)).Select(p => p.Detail)));
        Assert.Equal("10000 10", await pooled.ExecuteScalarAsync<string>("SELECT stat FROM sqlite_stat1 WHERE idx = 'ix_choice_b'"));
    }
}
