using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Storage;
using Tessera.Storage.Sql;

namespace Tessera.Benchmarks;

/// <summary>
/// Times SQLite's statistics refresh (ADR 0012, "SQLite's statistics at 10M") on a database made by <c>seed</c>: the
/// reading (no lock), then the store (the write lock), while a write that takes the lock and changes nothing runs every
/// 100 ms, so the wait a token write would have had shows as that write's worst time in each phase. It also says how
/// many of the measured rows differ from the ones already in <c>sqlite_stat1</c> (none, after an ANALYZE of the same data).
/// With <c>analyze</c>, times instead what the refresh was before: ANALYZE on a pooled connection, with the same probe
/// (a write that waits past the writer's busy timeout, 10 s, fails).
/// </summary>
internal static class StatisticsBench
{
    public static async Task<int> RunAsync(string connectionString, bool analyze)
    {
        var services = new ServiceCollection()
            .AddSingleton(TimeProvider.System)
            .AddTesseraStorage("sqlite", connectionString, Directory.GetCurrentDirectory())
            .BuildServiceProvider();
        var database = (SqliteDatabase)services.GetRequiredService<SqlDatabase>();
        await services.GetRequiredService<Migrator>().MigrateAsync(CancellationToken.None);

        using var stop = new CancellationTokenSource();
        var (worst, failed) = (0.0, 0);
        var writes = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await database.WriteAsync(async (connection, transaction, ct) =>
                    {
                        await connection.ExecuteAsync(new CommandDefinition("DELETE FROM revoked_console_sessions WHERE session_id = 'none'",
                            transaction: transaction, cancellationToken: ct));
                        return WriteOutcome.Commit(0);
                    }, CancellationToken.None);
                }
                catch (SqliteException)
                {
                    failed++;
                }
                worst = Math.Max(worst, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                await Task.Delay(100, CancellationToken.None);
            }
        });

        var clock = Stopwatch.StartNew();
        if (analyze)
        {
            await using (var connection = await database.OpenAsync(CancellationToken.None))
            {
                foreach (var statement in new[] { "PRAGMA analysis_limit = 1000; ANALYZE;", $"PRAGMA analysis_limit = {SqliteDatabase.ListStatisticsRows}; ANALYZE query_tokens; ANALYZE audit_entries;" })
                {
                    var step = Stopwatch.StartNew();
                    await connection.ExecuteAsync(new CommandDefinition(statement, commandTimeout: 0));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{statement}: {step.Elapsed.TotalSeconds:F1} s"));
                }
            }
            await stop.CancelAsync();
            await writes;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ANALYZE: {clock.Elapsed.TotalSeconds:F1} s; worst write meanwhile {worst:F1} ms, {failed} write(s) failed (busy)"));
            return 0;
        }
        List<string> stored;
        await using (var connection = await database.OpenAsync(CancellationToken.None))
        {
            stored = [.. await connection.QueryAsync<string>("SELECT tbl || '|' || ifnull(idx, '') || '|' || stat FROM sqlite_stat1")];
        }
        var measurement = await database.MeasureStatisticsAsync(CancellationToken.None);
        var reading = clock.Elapsed.TotalSeconds;
        var worstWhileReading = worst;
        worst = 0;
        clock.Restart();
        await database.StoreStatisticsAsync(measurement, CancellationToken.None);
        var storing = clock.Elapsed.TotalMilliseconds;
        await Task.Delay(300);
        await stop.CancelAsync();
        await writes;

        var differing = measurement.Rows.Select(r => $"{r.Table}|{r.Index}|{r.Stat}").Except(stored, StringComparer.Ordinal).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"reading: {reading:F1} s (worst write meanwhile {worstWhileReading:F1} ms); storing: {storing:F1} ms (worst write {worst:F1} ms); {failed} write(s) failed"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{measurement.Rows.Count} rows measured, {differing.Count} differ from sqlite_stat1's; left to ANALYZE: {string.Join(", ", measurement.LeftToAnalyze)}"));
        foreach (var row in differing)
        {
            Console.WriteLine($"  measured {row}; stored {stored.FirstOrDefault(s => s.StartsWith(row[..(row.LastIndexOf('|') + 1)], StringComparison.Ordinal))}");
        }
        return 0;
    }
}
