using System.Diagnostics;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Core;
using Tessera.Core.Storage;
using Tessera.Storage;
using Tessera.Storage.Sql;

namespace Tessera.Benchmarks;

/// <summary>
/// Times every token list combination (<see cref="TokenListCombinations"/>: each filter, sort, first page and the page
/// after it) through the token store over a database made by <c>seed</c>, and prints per combination the p50 and p99 of
/// <c>runs</c> calls with the indexes of the database's plan. The store call is what GET /v1/tokens runs (the name
/// count included); the HTTP layer adds the same fraction of a millisecond to every line. With LISTS_SQL set to a
/// combination's label (as printed, e.g. <c>state=usable&amp;expiresBefore&amp;sort=createdAt</c>), the SQL of its two pages
/// goes to stderr with the values written in, to read its plan with the database's own EXPLAIN. With LISTS_ONLY set, only the
/// combinations whose label contains it are timed (to compare one shape's builds quickly).
/// </summary>
internal static class ListsBench
{
    private static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(1000);

    public static async Task<int> RunAsync(string provider, string connectionString, int runs, string lists)
    {
        var services = new ServiceCollection()
            .AddSingleton(TimeProvider.System)
            .AddTesseraStorage(provider, connectionString, Directory.GetCurrentDirectory())
            .BuildServiceProvider();
        var database = services.GetRequiredService<SqlDatabase>();
        var migrate = Stopwatch.StartNew();
        var applied = await services.GetRequiredService<Migrator>().MigrateAsync(CancellationToken.None);
        Console.WriteLine($"# migrations applied: [{string.Join(", ", applied)}] in {migrate.Elapsed.TotalSeconds:F1} s");
        await database.RefreshStatisticsAsync(CancellationToken.None);
        // The expiry marker's pass, as a server's first after a start (ADR 0012, "The passed expiries").
        var mark = Stopwatch.StartNew();
        var (marked, _) = await new PassedExpiries(database).MarkPassedAsync(Instants.Now(services.GetRequiredService<TimeProvider>()), null,
            CancellationToken.None);
        Console.WriteLine($"# expiries marked: {marked:N0} in {mark.Elapsed.TotalSeconds:F1} s");
        if (database is PostgresDatabase)
        {
            // Each marked token left a dead entry in the active part of its expiry day, which a usable page walks until VACUUM
            // (19 ms against 2-3 for one page at a million tokens). Autovacuum clears them once 1% of the tokens changed
            // (migration 0020), within minutes of such a pass: the matrix measures the lists as they are after it.
            var vacuum = Stopwatch.StartNew();
            await using var connection = await database.OpenAsync(CancellationToken.None);
            await connection.ExecuteAsync(new CommandDefinition("VACUUM query_tokens", commandTimeout: 0));
            Console.WriteLine($"# query_tokens vacuumed in {vacuum.Elapsed.TotalSeconds:F1} s");
        }
        if (lists.Contains("audit", StringComparison.Ordinal))
        {
            await AuditListsBench.RunAsync(database, runs);
        }
        if (!lists.Contains("tokens", StringComparison.Ordinal))
        {
            return 0;
        }
        var store = new SqlTokenStore(database);

        var (values, account, tokens) = await ValuesAsync(database);
        Console.WriteLine($"# {provider}: account {account} with {tokens:N0} tokens, {runs} calls per combination");
        Console.WriteLine("| combination | page | rows | p50 ms | p99 ms | indexes |");
        Console.WriteLine("|---|---|---|---|---|---|");
        var all = new List<(double P50, double P99)>();
        var only = Environment.GetEnvironmentVariable("LISTS_ONLY");
        foreach (var first in TokenListCombinations.FirstPages(values, eachBoundAlone: Environment.GetEnvironmentVariable("LISTS_EACH_BOUND") == "1"))
        {
            if (only is { Length: > 0 } && !TokenListCombinations.Label(first).Contains(only, StringComparison.Ordinal))
            {
                continue;
            }
            var page = await TimeAsync(store, database, account, first, runs, all);
            if (page.Items.Count > 0)
            {
                await TimeAsync(store, database, account, TokenListCombinations.CursorPage(first, page.Items[^1]), runs, all);
            }
        }
        if (all.Count == 0)
        {
            Console.WriteLine("# no combination timed");
            return 0;
        }
        var p50s = all.Select(a => a.P50).Order().ToArray();
        var p99s = all.Select(a => a.P99).Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# {all.Count} pages: p50 worst {p50s[^1]:F2} ms, median {p50s[p50s.Length / 2]:F2} ms; p99 worst {p99s[^1]:F2} ms; over 10 ms p50: {p50s.Count(p => p > 10)}; over 50 ms p99: {p99s.Count(p => p > 50)}"));
        return 0;
    }

    private static async Task<Page<Core.Tokens.QueryToken>> TimeAsync(SqlTokenStore store, SqlDatabase database, string account, TokenQuery query,
        int runs, List<(double, double)> all)
    {
        var times = new List<double>(runs);
        Page<Core.Tokens.QueryToken> page = new([], false);
        for (var i = -1; i < runs; i++)
        {
            // A page over 100 ms (ten times the p50 target) is not called again, and one that runs past the budget is
            // cancelled and counted at the budget: the matrix then fits in minutes on a shared machine.
            using var budget = new CancellationTokenSource(Budget);
            var start = Stopwatch.GetTimestamp();
            try
            {
                page = await store.ListTokensAsync(account, query, budget.Token);
            }
            catch (Exception e) when (budget.IsCancellationRequested && e is OperationCanceledException or System.Data.Common.DbException)
            {
                times.Add(Budget.TotalMilliseconds);
                break;
            }
            var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (i >= 0)
            {
                times.Add(elapsed); // i = -1 warms the plan cache and the pages
            }
            if (elapsed > 100 && i >= 0)
            {
                break;
            }
        }
        times.Sort();
        var (p50, p99) = (times[times.Count / 2], times[Math.Min(times.Count - 1, (int)Math.Ceiling(times.Count * 0.99) - 1)]);
        all.Add((p50, p99));
        await using var connection = await database.OpenAsync(CancellationToken.None);
        var read = await store.ChooseReadAsync(connection, account, query, CancellationToken.None);
        var (sql, parameters) = store.PageSql(account, query, read);
        if (Environment.GetEnvironmentVariable("LISTS_SQL") is { Length: > 0 } wanted && TokenListCombinations.Label(query with { After = null }) == wanted)
        {
            var inlined = sql;
            foreach (var name in parameters.ParameterNames.OrderByDescending(n => n.Length))
            {
                object? value = parameters.Get<object?>(name);
                var literal = value switch
                {
                    null => "NULL",
                    string text => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'",
                    string[] texts => "ARRAY[" + string.Join(",", texts.Select(t => "'" + t + "'")) + "]",
                    long[] numbers => "ARRAY[" + string.Join(",", numbers.Select(n => n.ToString(CultureInfo.InvariantCulture))) + "]::bigint[]",
                    IFormattable number => number.ToString(null, CultureInfo.InvariantCulture),
                    _ => value.ToString()!,
                };
                inlined = inlined.Replace("@" + name, literal, StringComparison.Ordinal);
            }
            Console.Error.WriteLine($"-- {(query.After is null ? "first" : "cursor")}\n{inlined};");
        }
        var plan = TokenListPlans.Indexes(await TokenListPlans.ExplainAsync(database, connection, sql, parameters, CancellationToken.None));
        var plans = read.Days is { } days ? $"{string.Join(" + ", plan)} (by {days.Count} days)"
            : read.Narrowing == TokenListNarrowing.None ? string.Join(" + ", plan) : $"{string.Join(" + ", plan)} (by {read.Narrowing})";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {TokenListCombinations.Label(query with { After = null })} | {(query.After is null ? "first" : "cursor")} | {page.Items.Count} | {(p50 >= Budget.TotalMilliseconds ? ">" : "")}{p50:F2} | {(p99 >= Budget.TotalMilliseconds ? ">" : "")}{p99:F2} | {plans} |"));
        return page;
    }

    /// <summary>
    /// The seeded account (the one with the most tokens; of several as large, the newest, whose rows came last into every
    /// index shared by accounts), its first workload and instants inside the seeded range.
    /// </summary>
    internal static async Task<(TokenListCombinations.Values Values, string Account, long Tokens)> ValuesAsync(SqlDatabase database)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        // Every token read once: at ten million, longer than a query's timeout.
        var (account, tokens) = await connection.QuerySingleAsync<(string, long)>(new CommandDefinition(
            "SELECT account_id, COUNT(*) AS n FROM query_tokens GROUP BY account_id ORDER BY n DESC, account_id DESC LIMIT 1", commandTimeout: 0));
        var workload = await connection.QuerySingleAsync<string>(
            "SELECT id FROM workloads WHERE account_id = @account ORDER BY name LIMIT 1", new { account });
        var newest = DateTimeOffset.FromUnixTimeMilliseconds(await connection.QuerySingleAsync<long>(
            "SELECT MAX(created_at) FROM query_tokens WHERE account_id = @account", new { account }));
        // Names as the seeder writes them (user-0000000 … user-0999999): a prefix every name has, one none has, a
        // substring none has (the issue's own example: no name has "user-99") and one only a single name has.
        // LISTS_NAMES replaces them (comma-separated), for a name the matrix does not hold.
        string[] names = Environment.GetEnvironmentVariable("LISTS_NAMES") is { Length: > 0 } given ? given.Split(',') : ["us", "x", "user-99", "0012345", "user"];
        var values = new TokenListCombinations.Values(workload, names,
            newest.AddDays(-10), newest.AddDays(-9), newest.AddDays(5), newest);
        return (values, account, tokens);
    }
}
