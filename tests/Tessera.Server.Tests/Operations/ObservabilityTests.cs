using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Tessera.Contracts;
using Tessera.Core.Secrets;
using Tessera.Server.Hosting;

namespace Tessera.Server.Tests.Operations;

/// <summary>
/// Issue 19 §2: the real server's metrics name the service, carry HTTP, runtime and process metrics, start every
/// counter at zero and count token changes; traces of API requests and store calls go to an OTLP collector when
/// OTEL_EXPORTER_OTLP_ENDPOINT names one (a real HTTP receiver here), and no tracer exists otherwise.
/// </summary>
public sealed partial class ObservabilityTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tessera-otel-").FullName;
    private readonly string _key = SecretFormat.Generate(SecretKind.LicenseKey);

    private Dictionary<string, string> Environment => new()
    {
        ["Tessera__Database__ConnectionString"] = $"Data Source={Path.Combine(_directory, "t.db")}",
        ["Tessera__Bootstrap__LicenseKey"] = _key,
    };

    [Fact]
    public async Task Metrics_name_the_service_start_counters_at_zero_and_count_issued_renewed_cancelled_and_deleted_tokens()
    {
        await using var server = await ServerProcess.StartAsync(_directory, Environment);
        using var scraper = new HttpClient { BaseAddress = server.BaseAddress };
        var metrics = await scraper.GetStringAsync("/metrics", TestContext.Current.CancellationToken);

        var target = TargetInfo().Match(metrics);
        Assert.True(target.Success, metrics);
        Assert.Contains("service_name=\"tessera\"", target.Value, StringComparison.Ordinal);
        Assert.Matches("service_version=\"[0-9]", target.Value);
        Assert.Matches("service_instance_id=\"[0-9a-f-]{36}\"", target.Value);
        // On a healthy server that has done nothing, the series an alert reads exist, at zero.
        foreach (var zero in new[] { "tessera_database_errors_total", "tessera_tokens_issued_total", "tessera_tokens_cancelled_total",
                     "tessera_tokens_renewed_total", "tessera_tokens_deleted_total" })
        {
            Assert.Equal(0, Value(metrics, zero));
        }
        Assert.Equal(0, Value(metrics, "tessera_verifications_total", "result=\"token_unknown\""));
        // Runtime and process metrics.
        Assert.Contains("dotnet_gc_collections_total", metrics, StringComparison.Ordinal);
        Assert.Contains("process_cpu_time_seconds_total", metrics, StringComparison.Ordinal);

        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _key);
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await (await client.PostJsonAsync("/v1/tokens", new { name = $"user-{i}" })).ReadAsync<CreatedTokenResponse>(HttpStatusCode.Created)).Id);
        }
        (await client.PostAsync($"/v1/tokens/{ids[0]}/renew", null)).EnsureSuccessStatusCode();
        (await client.PatchJsonAsync($"/v1/tokens/{ids[1]}", new { status = "cancelled" })).EnsureSuccessStatusCode();
        (await client.DeleteAsync($"/v1/tokens/{ids[2]}")).EnsureSuccessStatusCode();
        // A refused change counts nothing: a cancelled token cannot be renewed.
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync($"/v1/tokens/{ids[1]}/renew", null)).StatusCode);

        var (after, _) = await Poll.UntilAsync(() => scraper.GetStringAsync("/metrics"), m => Value(m, "tessera_tokens_deleted_total") == 1);
        Assert.Equal(3, Value(after, "tessera_tokens_issued_total"));
        Assert.Equal(1, Value(after, "tessera_tokens_renewed_total"));
        Assert.Equal(1, Value(after, "tessera_tokens_cancelled_total"));
        Assert.Equal(1, Value(after, "tessera_tokens_deleted_total"));
        // HTTP server metrics, by route.
        Assert.Matches("http_server_request_duration_seconds_count\\{[^}]*http_route=\"/v1/tokens/?\"", after);
    }

    [Fact]
    public async Task With_an_otlp_endpoint_traces_of_requests_and_store_calls_and_metrics_reach_the_collector()
    {
        await using var collector = await Collector.StartAsync();
        var environment = Environment;
        environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Address;
        environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        environment["OTEL_BSP_SCHEDULE_DELAY"] = "200";
        environment["OTEL_METRIC_EXPORT_INTERVAL"] = "500";
        await using var server = await ServerProcess.StartAsync(_directory, environment);
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _key);

        (await client.PostJsonAsync("/v1/tokens", new { name = "traced" })).EnsureSuccessStatusCode();
        (await client.GetAsync("/v1/tokens?limit=5")).EnsureSuccessStatusCode();

        var (traces, _) = await Poll.UntilAsync(() => Task.FromResult(collector.Received("traces")),
            t => t.Contains("db write", StringComparison.Ordinal) && t.Contains("db read", StringComparison.Ordinal) && t.Contains("/v1/tokens", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30));
        Assert.Contains("tessera", traces, StringComparison.Ordinal); // the resource's service.name
        Assert.Contains("POST /v1/tokens", traces, StringComparison.Ordinal);
        Assert.DoesNotContain("/healthz", traces, StringComparison.Ordinal); // probes are not traced
        Assert.DoesNotContain("tsq_", traces, StringComparison.Ordinal);
        Assert.DoesNotContain(_key, traces, StringComparison.Ordinal);
        var (metrics, _) = await Poll.UntilAsync(() => Task.FromResult(collector.Received("metrics")),
            m => m.Contains("tessera.tokens.issued", StringComparison.Ordinal) && m.Contains("http.server.request.duration", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30));
        // Each export carries what was recorded by then: the request's histogram is recorded as the response ends, so
        // an export that holds the issued counter can precede it. Wait for the export that holds both.
        Assert.Contains("tessera.tokens.issued", metrics, StringComparison.Ordinal);
        Assert.Contains("http.server.request.duration", metrics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("http://127.0.0.1:4318", true)]
    public async Task Spans_are_recorded_only_when_an_otlp_endpoint_is_set(string? endpoint, bool traced)
    {
        // The host's own telemetry setup alone: no Tessera instruments, so disposing it disturbs no other server in this process.
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint;
        builder.AddTesseraTelemetry();
        await using var host = builder.Build();

        Assert.Equal(traced, host.Services.GetService<TracerProvider>() is not null);
        Assert.NotNull(host.Services.GetService<OpenTelemetry.Metrics.MeterProvider>()); // /metrics is there either way
    }

    /// <summary>The value of the first series of <paramref name="name"/> (with <paramref name="label"/> when given).</summary>
    private static double Value(string metrics, string name, string? label = null)
    {
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(name + "{", StringComparison.Ordinal) && (label is null || l.Contains(label, StringComparison.Ordinal)));
        Assert.True(line is not null, $"{name} {label} is not in /metrics");
        return double.Parse(line.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("target_info\\{[^}]*\\}")]
    private static partial Regex TargetInfo();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    /// <summary>An OTLP/HTTP receiver on a free loopback port: keeps every body it is sent, by signal (traces, metrics, logs).</summary>
    private sealed class Collector : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentDictionary<string, ConcurrentQueue<byte[]>> _bodies = new();

        private Collector(WebApplication app) => _app = app;

        public string Address => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        public static async Task<Collector> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var collector = new Collector(app);
            app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
            {
                using var body = new MemoryStream();
                await request.Body.CopyToAsync(body);
                collector._bodies.GetOrAdd(signal, _ => new()).Enqueue(body.ToArray());
                return Results.Ok();
            });
            await app.StartAsync();
            return collector;
        }

        /// <summary>Everything received for <paramref name="signal"/>, as text: protobuf keeps strings as UTF-8.</summary>
        public string Received(string signal) =>
            _bodies.TryGetValue(signal, out var bodies) ? string.Join('\n', bodies.Select(b => Encoding.UTF8.GetString(b))) : "";

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
