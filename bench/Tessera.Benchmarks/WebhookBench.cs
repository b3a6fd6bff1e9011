using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Tessera.Core.Secrets;

namespace Tessera.Benchmarks;

/// <summary>
/// Issue 14 (bench/webhooks.sh): a real server process on a fresh SQLite file and a local receiver (Kestrel on loopback,
/// answering 200 at once) in this process. Token creations per second through the API in interleaved rounds with the
/// account's one endpoint subscribed to everything (enabled) and with none (the endpoint disabled: no event is written),
/// and events delivered per second to the receiver while a backlog lasts.
/// </summary>
internal static class WebhookBench
{
    public static async Task<int> RunAsync(string serverDll, int perRound, int rounds, int concurrency)
    {
        var directory = Directory.CreateTempSubdirectory("tessera-webhook-bench-").FullName;
        var key = SecretFormat.Generate(SecretKind.LicenseKey);
        var received = 0L;
        var firstAt = 0L;
        var lastAt = 0L;
        var ids = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var receiver = builder.Build();
        // Closed, the receiver holds every request until it opens (the held backlog below); open, it answers at once.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        var lastNewAt = 0L;
        receiver.MapPost("/hook", async (HttpRequest request) =>
        {
            await Volatile.Read(ref gate).Task;
            if (request.HttpContext.RequestAborted.IsCancellationRequested)
            {
                return Results.StatusCode(503); // the server gave up on it (its 15 s timeout): it will send it again
            }
            var now = Stopwatch.GetTimestamp();
            Interlocked.CompareExchange(ref firstAt, now, 0);
            Interlocked.Exchange(ref lastAt, now);
            Interlocked.Increment(ref received);
            if (ids.TryAdd(request.Headers["webhook-id"].ToString(), 0))
            {
                Interlocked.Exchange(ref lastNewAt, now);
            }
            return Results.Ok();
        });
        await receiver.StartAsync();
        var hookUrl = receiver.Urls.Single() + "/hook";

        // WEBHOOK_BENCH_POSTGRES (an admin connection string): the server runs on a fresh PostgreSQL database instead.
        var postgres = Environment.GetEnvironmentVariable("WEBHOOK_BENCH_POSTGRES");
        string? pgDatabase = null;
        var provider = "sqlite";
        var connectionString = $"Data Source={Path.Combine(directory, "tessera.db")}";
        if (!string.IsNullOrEmpty(postgres))
        {
            pgDatabase = "tessera_webhook_bench_" + Guid.NewGuid().ToString("N")[..12];
            await using (var admin = new Npgsql.NpgsqlConnection(postgres))
            {
                await admin.OpenAsync();
                await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE {pgDatabase}", admin);
                await create.ExecuteNonQueryAsync();
            }
            provider = "postgres";
            connectionString = new Npgsql.NpgsqlConnectionStringBuilder(postgres) { Database = pgDatabase }.ConnectionString;
        }
        Console.WriteLine($"database: {provider}");

        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", [serverDll, "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            Environment =
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Tessera__Database__Provider"] = provider,
                ["Tessera__Database__ConnectionString"] = connectionString,
                ["Tessera__Bootstrap__LicenseKey"] = key,
                ["Tessera__Webhooks__AllowHttp"] = "true",
                ["Tessera__Webhooks__AllowPrivateNetworks"] = "true",
                // Only the held backlog fails attempts (requests held past the 15 s timeout): they come back within a second.
                ["Tessera__Webhooks__RetrySchedule"] = "00:00:01,00:00:01,00:00:01,00:00:01,00:00:01,00:00:01,00:00:01,00:00:01",
                ["Logging__LogLevel__Default"] = "Warning",
            },
        };
        // WEBHOOK_BENCH_DELIVERER=1: the measured server has deliveries off and a second server process on the same database
        // delivers (Tessera:Webhooks:Deliver, ADR 0015): the CPU figures are then the request-answering server's alone.
        ProcessStartInfo? other = null;
        Process? deliverer = null;
        if (Environment.GetEnvironmentVariable("WEBHOOK_BENCH_DELIVERER") == "1")
        {
            start.Environment["Tessera__Console__KeysDirectory"] = Path.Combine(directory, "keys");
            other = new ProcessStartInfo("dotnet", [serverDll, "--urls", $"http://127.0.0.1:{FreePort()}"])
            {
                WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (var (name, value) in start.Environment)
            {
                other.Environment[name] = value;
            }
            start.Environment["Tessera__Webhooks__Deliver"] = "false";
            Console.WriteLine("deliveries: a second server process on the same database (the figures below are the first server's)");
        }
        using var server = Process.Start(start)!;
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, e) => { if (e.Data is { } line) Console.Error.WriteLine("server: " + line); };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency })
            {
                BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            await WaitHealthyAsync(http);
            if (other is not null)
            {
                // Started once the first has migrated the database.
                deliverer = Process.Start(other)!;
                deliverer.OutputDataReceived += (_, _) => { };
                deliverer.ErrorDataReceived += (_, e) => { if (e.Data is { } line) Console.Error.WriteLine("deliverer: " + line); };
                deliverer.BeginOutputReadLine();
                deliverer.BeginErrorReadLine();
                using var probe = new HttpClient { BaseAddress = new Uri(other.ArgumentList[^1]) };
                await WaitHealthyAsync(probe);
            }

            var created = await http.PostAsJsonAsync("/v1/webhooks", new { url = hookUrl, events = new[] { "*" } });
            created.EnsureSuccessStatusCode();
            var endpointId = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
            async Task SetEnabledAsync(bool enabled)
            {
                using var patch = new HttpRequestMessage(HttpMethod.Patch, $"/v1/webhooks/{endpointId}")
                {
                    Content = new StringContent(enabled ? """{"enabled":true}""" : """{"enabled":false}""", System.Text.Encoding.UTF8, "application/merge-patch+json"),
                };
                (await http.SendAsync(patch)).EnsureSuccessStatusCode();
            }

            // Warm-up (JIT, connections, SQLite pages), not counted: two rounds of each mode, their deliveries drained. With
            // half a round of one mode, the first four measured rounds still ran a third slower while the JIT caught up.
            for (var w = 0; w < 2; w++)
            {
                await SetEnabledAsync(false);
                await CreateAsync(http, perRound, concurrency, $"warmnone{w}");
                await SetEnabledAsync(true);
                await CreateAsync(http, perRound, concurrency, $"warmall{w}");
            }
            while (Interlocked.Read(ref received) < 2L * perRound)
            {
                await Task.Delay(50);
            }
            var warmed = Interlocked.Read(ref received);
            var none = new List<double>();
            var subscribed = new List<double>();
            // The server's CPU time per creation (ms): a figure the other helpers' load on a shared machine moves far less
            // than a rate. "with delivery" counts the subscribed round and the draining of its deliveries after it.
            var noneCpu = new List<double>();
            var subscribedCpu = new List<double>();
            var deliveryCpu = new List<double>();
            TimeSpan Cpu()
            {
                server.Refresh();
                return server.TotalProcessorTime;
            }
            for (var round = 0; round < rounds; round++)
            {
                await SetEnabledAsync(false);
                var cpu = Cpu();
                none.Add(await CreateAsync(http, perRound, concurrency, $"none{round}"));
                noneCpu.Add((Cpu() - cpu).TotalMilliseconds / perRound);
                await SetEnabledAsync(true);
                cpu = Cpu();
                subscribed.Add(await CreateAsync(http, perRound, concurrency, $"all{round}"));
                subscribedCpu.Add((Cpu() - cpu).TotalMilliseconds / perRound);
                // Let the deliveries of this round drain before the next "none" round, so it measures creations alone.
                var expected = warmed + (long)(round + 1) * perRound;
                while (Interlocked.Read(ref received) < expected)
                {
                    await Task.Delay(50);
                }
                deliveryCpu.Add((Cpu() - cpu).TotalMilliseconds / perRound);
                Console.WriteLine($"round {round + 1}: none {none[^1]:F0}/s ({noneCpu[^1]:F2} ms CPU each), subscribed {subscribed[^1]:F0}/s " +
                                  $"({subscribedCpu[^1]:F2} ms CPU each, {deliveryCpu[^1]:F2} with its delivery); load {Load()}");
            }

            // Delivery: a backlog of `perRound * 4` events written as fast as the API takes them, measured at the receiver
            // from its first request to the last one of the backlog.
            var backlog = perRound * 4;
            var before = Interlocked.Read(ref received);
            Interlocked.Exchange(ref firstAt, 0);
            var backlogCpu = Cpu();
            var createdAt = Stopwatch.GetTimestamp();
            var createRate = await CreateAsync(http, backlog, concurrency, "backlog");
            var createdFor = Stopwatch.GetElapsedTime(createdAt);
            while (Interlocked.Read(ref received) < before + backlog)
            {
                await Task.Delay(20);
            }
            var deliveredFor = Stopwatch.GetElapsedTime(Interlocked.Read(ref firstAt), Interlocked.Read(ref lastAt));
            var backlogCpuEach = (Cpu() - backlogCpu).TotalMilliseconds / backlog;
            var lag = Stopwatch.GetElapsedTime(createdAt) - createdFor;
            var rate = backlog / deliveredFor.TotalSeconds;

            // Held backlog: the same number of events written while the receiver holds every request, so they queue as pending
            // deliveries; then the receiver opens and the rate is measured from that instant to the last new webhook-id: what
            // the worker delivers when it is not limited by the rate changes come in.
            var distinctBefore = ids.Count;
            Volatile.Write(ref gate, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            var heldRate = await CreateAsync(http, backlog, concurrency, "held");
            var heldCpu = Cpu();
            var openedAt = Stopwatch.GetTimestamp();
            Volatile.Read(ref gate).SetResult();
            while (ids.Count < distinctBefore + backlog)
            {
                await Task.Delay(20);
            }
            var drainedFor = Stopwatch.GetElapsedTime(openedAt, Interlocked.Read(ref lastNewAt));
            var heldCpuEach = (Cpu() - heldCpu).TotalMilliseconds / backlog;

            static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
            Console.WriteLine();
            Console.WriteLine($"| token creations/s ({rounds} interleaved rounds of {perRound}, {concurrency} clients) | median | range |");
            Console.WriteLine("|---|---|---|");
            Console.WriteLine($"| no endpoint subscribed | {Median(none):F0} | {none.Min():F0}–{none.Max():F0} |");
            Console.WriteLine($"| one endpoint subscribed to `*` | {Median(subscribed):F0} | {subscribed.Min():F0}–{subscribed.Max():F0} |");
            Console.WriteLine($"| ratio subscribed / none (medians) | {Median(subscribed) / Median(none):F2}× | |");
            Console.WriteLine();
            Console.WriteLine("| server CPU ms per creation (medians) | none | subscribed | subscribed with its delivery |");
            Console.WriteLine("|---|---|---|---|");
            Console.WriteLine($"| | {Median(noneCpu):F2} | {Median(subscribedCpu):F2} | {Median(deliveryCpu):F2} |");
            Console.WriteLine();
            Console.WriteLine($"backlog of {backlog} events: created at {createRate:F0}/s in {createdFor.TotalSeconds:F2} s; " +
                              $"delivered to the receiver at {rate:F0}/s ({deliveredFor.TotalSeconds:F2} s first to last request), " +
                              $"the last {lag.TotalSeconds:F2} s after the last creation; {received} requests for {ids.Count} distinct webhook-ids in all; " +
                              $"server CPU {backlogCpuEach:F2} ms per event created and delivered; load {Load()}.");
            Console.WriteLine($"held backlog of {backlog} events (created at {heldRate:F0}/s while the receiver held every request): **delivered at " +
                              $"{backlog / drainedFor.TotalSeconds:F0}/s** once it opened ({drainedFor.TotalSeconds:F2} s to the last new webhook-id); server CPU " +
                              $"{heldCpuEach:F2} ms per delivery; {received} requests for {ids.Count} distinct webhook-ids in all; load {Load()}.");
            return 0;
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            if (deliverer is not null)
            {
                Console.WriteLine($"deliverer process CPU in all: {deliverer.TotalProcessorTime.TotalSeconds:F1} s");
                deliverer.Kill(entireProcessTree: true);
                await deliverer.WaitForExitAsync();
                deliverer.Dispose();
            }
            if (pgDatabase is not null)
            {
                Npgsql.NpgsqlConnection.ClearAllPools();
                await using var admin = new Npgsql.NpgsqlConnection(postgres);
                await admin.OpenAsync();
                await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS {pgDatabase} WITH (FORCE)", admin);
                await drop.ExecuteNonQueryAsync();
            }
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort.
            }
        }
    }

    /// <summary>Creates <paramref name="count"/> tokens with <paramref name="concurrency"/> requests in flight; returns creations per second.</summary>
    private static async Task<double> CreateAsync(HttpClient http, int count, int concurrency, string prefix)
    {
        var next = -1;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < count; i = Interlocked.Increment(ref next))
            {
                using var response = await http.PostAsJsonAsync("/v1/tokens", new { name = $"{prefix}-{i}" });
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    throw new InvalidOperationException($"POST /v1/tokens answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
            }
        })));
        return count / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static async Task WaitHealthyAsync(HttpClient http)
    {
        for (var i = 0; i < 600; i++)
        {
            try
            {
                if ((await http.GetAsync("/healthz")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not yet listening
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("The server did not become healthy within 60 s.");
    }

    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
