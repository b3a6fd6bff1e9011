using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Tessera.Client.Tests;

/// <summary>
/// Issue 21 (SDK): both clients registered with IHttpClientFactory, their options bound from configuration as an
/// application's appsettings.json or environment would give them, calling a real server process.
/// </summary>
public sealed class ClientRegistrationTests(ProcessServer server) : IClassFixture<ProcessServer>
{
    [Fact]
    public async Task Both_clients_bound_from_configuration_call_the_server()
    {
        var ct = TestContext.Current.CancellationToken;
        var management = Provider(new Dictionary<string, string?>
        {
            ["Tessera:BaseAddress"] = server.Url.ToString(),
            ["Tessera:LicenseKey"] = server.LicenseKey,
            ["Tessera:Timeout"] = "00:00:20",
            ["Tessera:MaxAttempts"] = "2",
        }, (services, configuration) => services.AddTesseraClient(configuration.GetSection("Tessera")));
        Assert.Equal(TimeSpan.FromSeconds(20), management.GetRequiredService<IOptions<TesseraClientOptions>>().Value.Timeout);
        var client = management.GetRequiredService<TesseraManagementClient>();
        var workload = await client.CreateWorkloadAsync($"bound-{Guid.NewGuid():N}", cancellationToken: ct);
        var issued = await client.CreateTokenAsync("bound", workload.Id, cancellationToken: ct);

        var query = Provider(new Dictionary<string, string?>
        {
            ["Tessera:BaseAddress"] = server.Url.ToString(),
            ["Tessera:QueryToken"] = issued.Token,
        }, (services, configuration) => services.AddTesseraQueryClient(configuration.GetSection("Tessera")));
        var handshake = await query.GetRequiredService<TesseraQueryClient>().HandshakeAsync(ct);

        Assert.Equal((issued.Id, workload.Id), (handshake.TokenId, handshake.Workload.Id));
    }

    [Fact]
    public void A_missing_key_or_token_is_refused_when_the_client_is_first_asked_for()
    {
        var noKey = Provider(new Dictionary<string, string?> { ["Tessera:BaseAddress"] = server.Url.ToString() },
            (services, configuration) => services.AddTesseraClient(configuration.GetSection("Tessera")));
        var noToken = Provider(new Dictionary<string, string?> { ["Tessera:BaseAddress"] = server.Url.ToString() },
            (services, configuration) => services.AddTesseraQueryClient(configuration.GetSection("Tessera")));

        Assert.Contains("LicenseKey", Assert.Throws<OptionsValidationException>(() => noKey.GetRequiredService<TesseraManagementClient>()).Message,
            StringComparison.Ordinal);
        Assert.Contains("QueryToken", Assert.Throws<OptionsValidationException>(() => noToken.GetRequiredService<TesseraQueryClient>()).Message,
            StringComparison.Ordinal);
    }

    private static ServiceProvider Provider(Dictionary<string, string?> settings, Action<IServiceCollection, IConfiguration> register)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        register(services, configuration);
        return services.BuildServiceProvider();
    }
}
