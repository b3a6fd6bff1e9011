using System.Diagnostics;
using System.Net;
using Tessera.Contracts;
using Tessera.Core.Secrets;

namespace Tessera.Gateway.Tests;

/// <summary>
/// Tessera stopped under a running gateway (API.md §9): tokens the replica knows keep passing for the trust window,
/// then every request gets 503 service_unavailable until Tessera is back, and the same gateway process recovers on
/// its own. One Tessera server on SQLite, restarted on the same port and data.
/// </summary>
public sealed class GatewayOutageTests : IAsyncLifetime
{
    // Longer than the default second, so "passes right after the stop" does not hang on the machine's speed.
    private static readonly TimeSpan TrustWindow = TimeSpan.FromSeconds(3);

    private readonly string _directory = Directory.CreateTempSubdirectory("tessera-gw-outage-").FullName;
    private readonly string _bootstrapKey = SecretFormat.Generate(SecretKind.LicenseKey);
    private readonly int _port = ServerProcess.FreePort();
    private ServerProcess? _tessera;
    private ServerProcess? _gateway;
    private StubModel? _model;

    public async ValueTask InitializeAsync()
    {
        _tessera = await StartTesseraAsync();
        _model = await StubModel.StartAsync();
    }

    [Fact]
    public async Task Known_tokens_pass_for_the_trust_window_then_503_until_Tessera_is_back_then_the_same_gateway_recovers()
    {
        using var manager = GatewayRig.Client(_tessera!, _bootstrapKey);
        var workload = (await (await manager.PostJsonAsync("/v1/workloads", new CreateWorkloadRequest("outage", null))).ReadAsync<WorkloadResponse>(HttpStatusCode.Created)).Id;
        var key = (await (await manager.PostJsonAsync("/v1/license-keys", new { name = "gateway", scopes = new[] { "gateway" }, workloadIds = new[] { workload } }))
            .ReadAsync<CreatedLicenseKeyResponse>(HttpStatusCode.Created)).Key;
        var token = await (await manager.PostJsonAsync("/v1/tokens", new CreateTokenRequest("known", workload, null))).ReadAsync<CreatedTokenResponse>(HttpStatusCode.Created);
        _gateway = await GatewayProcess.StartAsync(_tessera!.BaseAddress, key, _model!.BaseAddress, workload,
            new Dictionary<string, string> { ["Tessera__TrustWindow"] = TrustWindow.ToString() });
        using var client = GatewayRig.Client(_gateway, token.Token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/ping")).StatusCode);

        var stopped = Stopwatch.StartNew();
        await _tessera.StopAsync();
        // Right after the stop, the replica is still trusted: the known token passes.
        var afterStop = await client.GetAsync("/v1/ping");
        var passedAt = stopped.Elapsed;
        Assert.True(afterStop.StatusCode == HttpStatusCode.OK, $"{(int)afterStop.StatusCode} {passedAt.TotalMilliseconds:0} ms after the stop");

        // Then, once the window is over, 503 for everyone, never earlier than the window allows.
        var (unavailable, _) = await Poll.UntilAsync(() => client.GetAsync("/v1/ping"), r => r.StatusCode != HttpStatusCode.OK, TimeSpan.FromSeconds(30));
        var refusedAt = stopped.Elapsed;
        var problem = await unavailable.ProblemAsync(HttpStatusCode.ServiceUnavailable, "service_unavailable");
        Assert.Equal("1", unavailable.Headers.RetryAfter?.ToString());
        Assert.False(string.IsNullOrEmpty(problem.Detail));
        Assert.True(refusedAt >= TrustWindow - TimeSpan.FromMilliseconds(500), $"503 after {refusedAt.TotalMilliseconds:0} ms: before the trust window of {TrustWindow}");
        TestContext.Current.TestOutputHelper?.WriteLine($"passed {passedAt.TotalMilliseconds:0} ms after the stop; 503 from {refusedAt.TotalMilliseconds:0} ms");
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/v1/ping")).StatusCode);
        }
        var gatewayPid = _gateway.ProcessId;

        // Tessera back on the same port and data: the same gateway process passes the token again.
        _tessera = await StartTesseraAsync();
        var (recovered, _) = await Poll.UntilAsync(() => client.GetAsync("/v1/ping"), r => r.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, recovered.StatusCode);
        Assert.Equal(gatewayPid, _gateway.ProcessId);
        Assert.False(Process.GetProcessById(gatewayPid).HasExited);

        // And it follows changes again: a cancel made now is refused.
        using var managerAgain = GatewayRig.Client(_tessera, _bootstrapKey);
        await (await managerAgain.PatchJsonAsync($"/v1/tokens/{token.Id}", new { status = "cancelled" })).ReadAsync<TokenResponse>();
        var (cancelled, _) = await Poll.UntilAsync(() => client.GetAsync("/v1/ping"), r => r.StatusCode == HttpStatusCode.Unauthorized);
        Assert.Equal("token_cancelled", cancelled.Headers.GetValues("X-Tessera-Error").Single());
        Assert.DoesNotContain(token.Token, _gateway.Stdout + _gateway.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(key, _gateway.Stdout + _gateway.Stderr, StringComparison.Ordinal);
    }

    private Task<ServerProcess> StartTesseraAsync()
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _directory };
        start.ArgumentList.Add(ServerProcess.ServerDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{_port}");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["Tessera__Bootstrap__LicenseKey"] = _bootstrapKey;
        return ServerProcess.StartAsync(start, _port);
    }

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
        if (_tessera is not null)
        {
            await _tessera.DisposeAsync();
        }
        if (_model is not null)
        {
            await _model.DisposeAsync();
        }
        Directory.Delete(_directory, recursive: true);
    }
}
