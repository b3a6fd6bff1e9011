using BenchmarkDotNet.Running;
using Tessera.Benchmarks;

// dotnet run -c Release --project bench/Tessera.Benchmarks -- [bdn args]        BenchmarkDotNet (VerifyBenchmarks)
// ... -- memory 1000000                                                          memory of N remembered tokens
// ... -- seed <provider> <connection string> <tokens> <output dir> [accounts]    a database for bench/http.sh (each account gets the tokens)
// ... -- lists <provider> <connection string> <runs> [tokens,audit]               every token and audit list combination, p50/p99 + plan
// ... -- counts <provider> <connection string> <runs> [cap]                     the console list's capped count of matches per filter (ADR 0021)
// ... -- statistics <sqlite connection string> [analyze]                         SQLite's statistics refresh (or ANALYZE, as before): a write's wait meanwhile
// ... -- seed-audit <provider> <connection string> <entries>                     audit entries for the account of a seeded database
// ... -- bare --urls http://127.0.0.1:PORT                                       an empty ASP.NET Core endpoint, for bench/http.sh
// ... -- webhooks <Tessera.Server.dll> [per round] [rounds] [clients]             token creations/s with and without a subscribed endpoint, events delivered/s
// ... -- yarp --urls http://127.0.0.1:PORT   (env Gateway__Upstream)             examples/yarp-gateway without Tessera, for bench/gateway.sh
return args.FirstOrDefault() switch
{
    "memory" => MemoryReport.Run(int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture)),
    "seed" => await Seeder.RunAsync(args[1], args[2], Arg(3, 0), args[4], Arg(5, 1)),
    "counts" => await CountsBench.RunAsync(args[1], args[2], int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture), args.Length > 4 ? int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : 10_000),
    "lists" => await ListsBench.RunAsync(args[1], args[2], int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture), args.Length > 4 ? args[4] : "tokens,audit"),
    "statistics" => await StatisticsBench.RunAsync(args[1], args.Length > 2 && args[2] == "analyze"),
    "seed-audit" => await AuditSeeder.RunAsync(args[1], args[2], long.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture)),
    "bare" => await BareServer.RunAsync(args[1..]),
    "webhooks" => await WebhookBench.RunAsync(args[1], Arg(2, 2000), Arg(3, 5), Arg(4, 16)),
    "yarp" => await BareYarp.RunAsync(args[1..]),
    _ => Run(args),
};

int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], System.Globalization.CultureInfo.InvariantCulture) : fallback;

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(VerifyBenchmarks).Assembly).Run(args);
    return 0;
}
