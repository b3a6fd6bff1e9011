using System.Diagnostics;
using System.Globalization;
using Dapper;
using Tessera.Core.Storage;
using Tessera.Storage.Sql;

namespace Tessera.Benchmarks;

/// <summary>
/// Times every GET /v1/audit filter combination (objectId × action × from/to, first page and the page after it) through
/// the audit store over entries made by <c>seed-audit</c>, printing p50/p99 of <c>runs</c> calls and the plan's indexes.
/// </summary>
internal static class AuditListsBench
{
    public static async Task RunAsync(SqlDatabase database, int runs)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        // The seeded account (seed-audit writes to the account with the most tokens); counting 10M entries takes longer than a
        // statement may by default, hence no timeout.
        var account = await connection.QuerySingleAsync<string>(new CommandDefinition(
            "SELECT account_id FROM query_tokens GROUP BY account_id ORDER BY COUNT(*) DESC LIMIT 1", commandTimeout: 0));
        var (entries, newestMs) = await connection.QuerySingleAsync<(long, long)>(new CommandDefinition(
            "SELECT COUNT(*), MAX(occurred_at) FROM audit_entries WHERE account_id = @account", new { account }, commandTimeout: 0));
        var newest = DateTimeOffset.FromUnixTimeMilliseconds(newestMs);
        var objectId = await connection.QuerySingleAsync<string>(
            "SELECT object_id FROM audit_entries WHERE account_id = @account AND object_id LIKE 'tok_%' ORDER BY occurred_at DESC LIMIT 1", new { account });
        Console.WriteLine($"# audit: account {account} with {entries:N0} entries, {runs} calls per combination");
        Console.WriteLine("| combination | page | rows | p50 ms | p99 ms | indexes |");
        Console.WriteLine("|---|---|---|---|---|---|");
        var store = new SqlAuditStore(database);
        foreach (var o in new[] { null, objectId })
        {
            foreach (var action in new[] { null, "token.created", "token.renewed" })
            {
                foreach (var (from, to) in new (DateTimeOffset?, DateTimeOffset?)[] { (null, null), (newest.AddDays(-30), null), (null, newest.AddDays(-29)), (newest.AddDays(-30), newest.AddDays(-29)) })
                {
                    var query = new AuditQuery { ObjectId = o, Action = action, From = from, To = to };
                    var page = await TimeAsync(store, database, connection, account, query, runs);
                    if (page.Items.Count > 0)
                    {
                        var last = page.Items[^1];
                        await TimeAsync(store, database, connection, account,
                            query with { After = new ListCursor("audit", "occurredAt", last.Id, last.At.ToUnixTimeMilliseconds(), null) }, runs);
                    }
                }
            }
        }
    }

    private static async Task<Page<Core.Audit.AuditEntry>> TimeAsync(SqlAuditStore store, SqlDatabase database, System.Data.Common.DbConnection connection,
        string account, AuditQuery query, int runs)
    {
        var times = new double[runs];
        var page = await store.ListAsync(account, query, CancellationToken.None);
        for (var i = 0; i < runs; i++)
        {
            var start = Stopwatch.GetTimestamp();
            page = await store.ListAsync(account, query, CancellationToken.None);
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        var (sql, parameters) = SqlAuditStore.ListSql(account, query);
        var indexes = TokenListPlans.Indexes(await TokenListPlans.ExplainAsync(database, connection, sql, parameters, CancellationToken.None));
        var label = string.Join('&', new[]
        {
            query.ObjectId is null ? null : "objectId", query.Action is null ? null : "action=" + query.Action,
            query.From is null ? null : "from", query.To is null ? null : "to",
        }.Where(p => p is not null));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {(label.Length == 0 ? "(none)" : label)} | {(query.After is null ? "first" : "cursor")} | {page.Items.Count} | {times[runs / 2]:F2} | {times[Math.Min(runs - 1, (int)Math.Ceiling(runs * 0.99) - 1)]:F2} | {string.Join(" + ", indexes)} |"));
        return page;
    }
}
