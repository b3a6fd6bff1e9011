using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Storage;
using Tessera.Storage.Sql;

namespace Tessera.Benchmarks;

/// <summary>
/// Adds N audit entries to the account of a database made by <c>seed</c>, generated inside the database (a recursive
/// CTE on SQLite, generate_series on PostgreSQL) in batches of 500,000: newest last over the 90 days before now, eleven
/// actions of which token.created is half, and object ids of a million tokens (ten entries each at 10M).
/// </summary>
internal static class AuditSeeder
{
    private const int Batch = 500_000;

    private const string Actions =
        "CASE WHEN i % 2 = 0 THEN 'token.created' ELSE CASE (i / 2) % 10 WHEN 0 THEN 'token.updated' WHEN 1 THEN 'token.renewed' " +
        "WHEN 2 THEN 'token.cancelled' WHEN 3 THEN 'token.deleted' WHEN 4 THEN 'token.assigned' WHEN 5 THEN 'workload.created' " +
        "WHEN 6 THEN 'workload.updated' WHEN 7 THEN 'license_key.created' WHEN 8 THEN 'console.signed_in' ELSE 'license_key.revoked' END END";

    public static async Task<int> RunAsync(string provider, string connectionString, long entries)
    {
        var services = new ServiceCollection()
            .AddSingleton(TimeProvider.System)
            .AddTesseraStorage(provider, connectionString, Directory.GetCurrentDirectory())
            .BuildServiceProvider();
        await services.GetRequiredService<Migrator>().MigrateAsync(CancellationToken.None);
        var database = services.GetRequiredService<SqlDatabase>();
        var sqlite = provider != "postgres";
        await using var connection = await database.OpenAsync(CancellationToken.None);
        var account = await connection.QuerySingleAsync<string>(
            "SELECT account_id FROM query_tokens GROUP BY account_id ORDER BY COUNT(*) DESC LIMIT 1");
        var end = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        var step = 90L * 86_400_000 / entries;
        var hex = sqlite ? "printf('%032x', {0})" : "lpad(to_hex({0}), 32, '0')";
        var rows = sqlite
            ? "WITH RECURSIVE s(i) AS (SELECT @from UNION ALL SELECT i + 1 FROM s WHERE i + 1 < @to) SELECT i FROM s"
            : "SELECT i FROM generate_series(@from::bigint, @to::bigint - 1) AS s(i)";
        var id = string.Format(CultureInfo.InvariantCulture, hex, "i");
        var objectId = string.Format(CultureInfo.InvariantCulture, hex, "i % 1000000");
        var insert = $$"""
            INSERT INTO audit_entries (id, account_id, occurred_at, actor_type, actor_id, action, object_id, before_json, after_json, client_ip)
            SELECT 'aud_' || {{id}}, @account, @start + i * @step, 'license_key', 'key_bench', {{Actions}}, 'tok_' || {{objectId}},
                '{"name":"user-' || (i % 1000000) || '"}', '{"name":"user-' || (i % 1000000) || '-renamed"}', '192.0.2.1'
            FROM ({{rows}}) AS g
            """;
        var clock = Stopwatch.StartNew();
        for (long from = 0; from < entries; from += Batch)
        {
            await using var transaction = await database.BeginWriteAsync(connection, CancellationToken.None);
            await connection.ExecuteAsync(new CommandDefinition(insert,
                new { account, start = end - (entries * step), step, from, to = Math.Min(entries, from + Batch) }, transaction, commandTimeout: 0));
            await transaction.CommitAsync(CancellationToken.None);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Math.Min(entries, from + Batch):N0} audit entries, {clock.Elapsed.TotalSeconds:F0} s"));
        }
        await database.RefreshStatisticsAsync(CancellationToken.None);
        return 0;
    }
}
