using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Storage;
using Tessera.Storage.Sql;

namespace Tessera.Benchmarks;

/// <summary>
/// Times the console Tokens list's count of matches (ADR 0021) over a database made by <c>seed</c>: every filter the
/// console offers (workload, status incl. "expiring soon", a name), counted up to <c>cap</c> + 1 through the store, and
/// prints per combination the count and the p50 and worst of <c>runs</c> calls.
/// </summary>
internal static class CountsBench
{
    public static async Task<int> RunAsync(string provider, string connectionString, int runs, int cap)
    {
        var services = new ServiceCollection()
            .AddSingleton(TimeProvider.System)
            .AddTesseraStorage(provider, connectionString, Directory.GetCurrentDirectory())
            .BuildServiceProvider();
        var database = services.GetRequiredService<SqlDatabase>();
        await services.GetRequiredService<Migrator>().MigrateAsync(CancellationToken.None);
        await database.RefreshStatisticsAsync(CancellationToken.None);
        var store = new SqlTokenCountStore(database);
        var (values, account, tokens) = await ListsBench.ValuesAsync(database);
        Console.WriteLine($"# {provider}: account {account} with {tokens:N0} tokens, count up to {cap + 1:N0}, {runs} calls per combination");
        Console.WriteLine("| workload | state | q | count | p50 ms | worst ms |");
        Console.WriteLine("|---|---|---|---|---|---|");
        (string Label, TokenQuery Query)[] workloads =
        [
            ("all", new TokenQuery()),
            ("one", new TokenQuery { WorkloadId = values.WorkloadId }),
            ("none", new TokenQuery { UnassignedOnly = true }),
        ];
        (string Label, TokenState? State, bool Expiring)[] states =
        [
            ("any", null, false), ("usable", TokenState.Usable, false), ("unassigned", TokenState.Unassigned, false),
            ("expired", TokenState.Expired, false), ("cancelled", TokenState.Cancelled, false), ("expiring", TokenState.Usable, true),
        ];
        string?[] names = [null, .. values.Names];
        var p50s = new List<double>();
        foreach (var (workloadLabel, workload) in workloads)
        {
            foreach (var (stateLabel, state, expiring) in states)
            {
                foreach (var name in names)
                {
                    var query = workload with
                    {
                        State = state,
                        NameContains = name,
                        Now = values.Now,
                        ExpiresBefore = expiring ? values.Now.AddDays(7) : null,
                        Sort = expiring ? TokenSort.ExpiresAt : TokenSort.CreatedAt,
                    };
                    var times = new List<double>(runs);
                    long count = 0;
                    for (var i = -1; i < runs; i++)
                    {
                        var start = Stopwatch.GetTimestamp();
                        count = await store.CountMatchesAsync(account, query, cap + 1L, CancellationToken.None);
                        if (i >= 0)
                        {
                            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                        }
                    }
                    times.Sort();
                    p50s.Add(times[times.Count / 2]);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {workloadLabel} | {stateLabel} | {name ?? ""} | {(count > cap ? $"{cap:N0}+" : count.ToString("N0", CultureInfo.InvariantCulture))} | {times[times.Count / 2]:F2} | {times[^1]:F2} |"));
                }
            }
        }
        p50s.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# {p50s.Count} counts: p50 worst {p50s[^1]:F2} ms, median {p50s[p50s.Count / 2]:F2} ms; over 10 ms p50: {p50s.Count(p => p > 10)}"));
        return 0;
    }
}
