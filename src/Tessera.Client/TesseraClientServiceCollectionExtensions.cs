using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Tessera.Client;

/// <summary>Registers <see cref="TesseraManagementClient"/> with <c>IHttpClientFactory</c>.</summary>
public static class TesseraClientServiceCollectionExtensions
{
    /// <summary>The name of the HttpClient the factory builds for Tessera (to add handlers to it).</summary>
    public const string HttpClientName = "Tessera";

    /// <summary>
    /// Adds a typed <see cref="TesseraManagementClient"/> over a factory-managed HttpClient with
    /// Tessera's retry policy (reads on transient failures, writes only when nothing was sent).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets BaseAddress and LicenseKey (required), Timeout and MaxAttempts.</param>
    /// <returns>The HttpClient builder, to configure it further.</returns>
    public static IHttpClientBuilder AddTesseraClient(this IServiceCollection services, Action<TesseraClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<TesseraClientOptions>()
            .Configure(configure)
            .Validate(o => o.BaseAddress is not null && !string.IsNullOrWhiteSpace(o.LicenseKey), "Tessera BaseAddress and LicenseKey are required.");
        return services.AddHttpClient(HttpClientName, (provider, http) =>
            {
                http.BaseAddress = provider.GetRequiredService<IOptions<TesseraClientOptions>>().Value.BaseAddress;
                http.Timeout = Timeout.InfiniteTimeSpan; // the client applies TesseraClientOptions.Timeout per call
            })
            .AddHttpMessageHandler(provider => new RetryHandler(provider.GetRequiredService<IOptions<TesseraClientOptions>>().Value.MaxAttempts))
            .AddTypedClient((http, provider) => new TesseraManagementClient(http, provider.GetRequiredService<IOptions<TesseraClientOptions>>().Value));
    }
}
