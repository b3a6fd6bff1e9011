using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Tessera.Client;

/// <summary>
/// Registers <see cref="TesseraManagementClient"/> and <see cref="TesseraQueryClient"/> with <c>IHttpClientFactory</c>, each also as its
/// interface (<see cref="ITesseraManagementClient"/>, <see cref="ITesseraQueryClient"/>) for code that wants to be tested with a fake.
/// </summary>
public static class TesseraClientServiceCollectionExtensions
{
    /// <summary>The name of the HttpClient the factory builds for the management client (to add handlers to it).</summary>
    public const string HttpClientName = "Tessera";

    /// <summary>The name of the HttpClient the factory builds for the query client.</summary>
    public const string QueryHttpClientName = "Tessera.Query";

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
        services.AddTransient<ITesseraManagementClient>(provider => provider.GetRequiredService<TesseraManagementClient>());
        return services.AddHttpClient(HttpClientName, (provider, http) => Configure(http, provider.GetRequiredService<IOptions<TesseraClientOptions>>().Value.BaseAddress))
            .AddHttpMessageHandler(provider => new RetryHandler(provider.GetRequiredService<IOptions<TesseraClientOptions>>().Value.MaxAttempts))
            .AddTypedClient((http, provider) => new TesseraManagementClient(http, provider.GetRequiredService<IOptions<TesseraClientOptions>>().Value));
    }

    /// <summary>
    /// Adds the management client with its options bound from configuration, e.g.
    /// <c>AddTesseraClient(builder.Configuration.GetSection("Tessera"))</c> over
    /// <c>{"Tessera": {"BaseAddress": "https://tessera.example", "LicenseKey": "tsl_…", "Timeout": "00:00:10"}}</c>
    /// (keep the key in a secret store or an environment variable, <c>Tessera__LicenseKey</c>, not in a file).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding BaseAddress, LicenseKey, Timeout and MaxAttempts.</param>
    /// <returns>The HttpClient builder, to configure it further.</returns>
    public static IHttpClientBuilder AddTesseraClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<TesseraClientOptions>().Bind(configuration);
        return services.AddTesseraClient(static _ => { });
    }

    /// <summary>Adds a typed <see cref="TesseraQueryClient"/> for an application that presents one query token.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets BaseAddress and QueryToken (required), Timeout and MaxAttempts.</param>
    /// <returns>The HttpClient builder, to configure it further.</returns>
    public static IHttpClientBuilder AddTesseraQueryClient(this IServiceCollection services, Action<TesseraQueryClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<TesseraQueryClientOptions>()
            .Configure(configure)
            .Validate(o => o.BaseAddress is not null && !string.IsNullOrWhiteSpace(o.QueryToken), "Tessera BaseAddress and QueryToken are required.");
        services.AddTransient<ITesseraQueryClient>(provider => provider.GetRequiredService<TesseraQueryClient>());
        return services.AddHttpClient(QueryHttpClientName, (provider, http) => Configure(http, provider.GetRequiredService<IOptions<TesseraQueryClientOptions>>().Value.BaseAddress))
            .AddHttpMessageHandler(provider => new RetryHandler(provider.GetRequiredService<IOptions<TesseraQueryClientOptions>>().Value.MaxAttempts))
            .AddTypedClient((http, provider) =>
            {
                var options = provider.GetRequiredService<IOptions<TesseraQueryClientOptions>>().Value;
                return new TesseraQueryClient(http, options.QueryToken!, options.Timeout);
            });
    }

    /// <summary>Adds the query client with its options bound from configuration (BaseAddress, QueryToken, Timeout, MaxAttempts).</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding the options.</param>
    /// <returns>The HttpClient builder, to configure it further.</returns>
    public static IHttpClientBuilder AddTesseraQueryClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<TesseraQueryClientOptions>().Bind(configuration);
        return services.AddTesseraQueryClient(static _ => { });
    }

    private static void Configure(HttpClient http, Uri? baseAddress)
    {
        http.BaseAddress = baseAddress;
        http.Timeout = Timeout.InfiniteTimeSpan; // the client applies the options' Timeout per call
    }
}
