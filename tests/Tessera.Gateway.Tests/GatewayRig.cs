using System.Net;
using System.Net.Http.Headers;
using Tessera.Contracts;
using Tessera.Core.Secrets;

namespace Tessera.Gateway.Tests;

/// <summary>
/// Two Tessera servers on one PostgreSQL database, a stub model, and examples/yarp-gateway in front of the model,
/// following server A's feed with a key holding only the gateway scope. Shared by a test class.
/// </summary>
public sealed class GatewayRig : IAsyncLifetime
{
    private readonly List<ServerProcess> _processes = [];
    private string? _connectionString;

    public string BootstrapKey { get; } = SecretFormat.Generate(SecretKind.LicenseKey);

    public ServerProcess A { get; private set; } = null!;

    public ServerProcess B { get; private set; } = null!;

    public StubModel Model { get; private set; } = null!;

    public ServerProcess Gateway { get; private set; } = null!;

    public string GatewayKey { get; private set; } = "";

    /// <summary>The workload the gateway guards.</summary>
    public string WorkloadId { get; private set; } = "";

    /// <summary>Another workload of the same account.</summary>
    public string OtherWorkloadId { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(TestPostgres.Variable)))
        {
            return; // the tests skip (or fail under CI=true) in their constructor
        }
        _connectionString = await TestPostgres.CreateEmptyAsync();
        var environment = new Dictionary<string, string>
        {
            ["Tessera__Database__Provider"] = "postgres",
            ["Tessera__Database__ConnectionString"] = _connectionString,
            ["Tessera__Bootstrap__LicenseKey"] = BootstrapKey,
            // The refusal tests ask the server's /v1/auth too: no failure limit in the way.
            ["Tessera__Abuse__QueryFailures__PermitLimit"] = "0",
        };
        // One after the other: the first migrates and bootstraps.
        A = Track(await ServerProcess.StartAsync(Directory.CreateTempSubdirectory("tessera-gw-a-").FullName, environment));
        B = Track(await ServerProcess.StartAsync(Directory.CreateTempSubdirectory("tessera-gw-b-").FullName, environment));
        using var manager = Manager(A);
        WorkloadId = (await (await manager.PostJsonAsync("/v1/workloads", new CreateWorkloadRequest("guarded", null))).ReadAsync<WorkloadResponse>(HttpStatusCode.Created)).Id;
        OtherWorkloadId = (await (await manager.PostJsonAsync("/v1/workloads", new CreateWorkloadRequest("elsewhere", null))).ReadAsync<WorkloadResponse>(HttpStatusCode.Created)).Id;
        GatewayKey = (await (await manager.PostJsonAsync("/v1/license-keys", new { name = "gateway", scopes = new[] { "gateway" } }))
            .ReadAsync<CreatedLicenseKeyResponse>(HttpStatusCode.Created)).Key;
        Model = await StubModel.StartAsync();
        Gateway = Track(await GatewayProcess.StartAsync(A.BaseAddress, GatewayKey, Model.BaseAddress, WorkloadId));
    }

    public ServerProcess Track(ServerProcess process)
    {
        lock (_processes)
        {
            _processes.Add(process);
        }
        return process;
    }

    public HttpClient Manager(ServerProcess server) => Client(server, BootstrapKey);

    public static HttpClient Client(ServerProcess server, string? bearer)
    {
        var client = new HttpClient { BaseAddress = server.BaseAddress };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        return client;
    }

    public async Task<CreatedTokenResponse> CreateTokenAsync(ServerProcess server, string? workloadId, string name = "user")
    {
        using var manager = Manager(server);
        return await (await manager.PostJsonAsync("/v1/tokens", new CreateTokenRequest(name, workloadId, null))).ReadAsync<CreatedTokenResponse>(HttpStatusCode.Created);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }
        if (Model is not null)
        {
            await Model.DisposeAsync();
        }
        if (_connectionString is not null)
        {
            await TestPostgres.DropAsync(_connectionString);
        }
    }
}
