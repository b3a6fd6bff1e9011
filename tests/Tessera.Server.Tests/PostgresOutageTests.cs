using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Tessera.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// PostgreSQL goes down under a running server and comes back: management calls answer 503 with a
/// problem (not 500, not a hang), /readyz says unready, the server recovers by itself, and every write
/// it acknowledged before the crash is still there. The database is a dedicated cluster, stopped the
/// hard way (pg_ctl -m immediate, as a crash), so the shared test server is not disturbed.
/// </summary>
public sealed class PostgresOutageTests
{
    [Fact]
    public async Task A_database_outage_answers_503_and_unready_then_recovers_by_itself_without_losing_an_acknowledged_write()
    {
        await using var cluster = await PostgresCluster.StartNewAsync();
        await using var app = new ClusterApp(cluster.ConnectionString);
        var account = await app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama-3");
        var kept = await account.CreateTokenAsync("alice", workload.Id, note: "acknowledged before the crash");
        var cancelled = await account.CreateTokenAsync("bob", workload.Id);
        await account.PatchTokenAsync(cancelled.Id, new { status = "cancelled" });
        using var anonymous = app.ClientWith(null);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/readyz")).StatusCode);

        await cluster.StopAsync();

        var read = await account.Client.GetAsync($"/v1/tokens/{kept.Id}");
        await read.ProblemAsync(HttpStatusCode.ServiceUnavailable, "service_unavailable");
        Assert.Equal("1", read.Headers.GetValues("Retry-After").Single());
        await (await account.Client.PostJsonAsync("/v1/workloads", new CreateWorkloadRequest("mistral", null)))
            .ProblemAsync(HttpStatusCode.ServiceUnavailable, "service_unavailable");
        var unready = await anonymous.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unready.StatusCode);
        Assert.Equal("unhealthy", (await unready.JsonObjectAsync())["status"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);

        await cluster.StartAsync();

        // Nothing restarts the server: it answers again once the database does (a guard, not a timing assertion).
        var waited = Stopwatch.StartNew();
        while ((await anonymous.GetAsync("/readyz")).StatusCode != HttpStatusCode.OK)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(60), "the server did not become ready again");
            await Task.Delay(100);
        }
        // Every call succeeds from now on: no stale pooled connection fails a request after recovery.
        for (var i = 0; i < 10; i++)
        {
            var again = await account.GetTokenAsync(kept.Id);
            Assert.Equal("acknowledged before the crash", again.Note);
            Assert.Equal("usable", again.State);
        }
        Assert.Equal("cancelled", (await account.GetTokenAsync(cancelled.Id)).State);
        var list = await account.ListTokensAsync();
        Assert.Equal(new[] { cancelled.Id, kept.Id }.Order(StringComparer.Ordinal), list.Items.Select(t => t.Id).Order(StringComparer.Ordinal));
        await (await account.Client.PostJsonAsync("/v1/workloads", new CreateWorkloadRequest("mistral", null))).ReadAsync<WorkloadResponse>(HttpStatusCode.Created);
        Assert.DoesNotContain(app.Logs.Lines, l => l.Contains("Unhandled exception", StringComparison.Ordinal)); // never a 500
    }

    /// <summary>The in-process server on the dedicated cluster, with a short database timeout.</summary>
    private sealed class ClusterApp(string connectionString) : TesseraApp
    {
        protected override void ConfigureDatabase(IWebHostBuilder builder)
        {
            builder.UseSetting("Tessera:Database:Provider", "postgres");
            builder.UseSetting("Tessera:Database:ConnectionString", connectionString);
            builder.UseSetting("Tessera:Database:Timeout", "00:00:02");
        }
    }
}
