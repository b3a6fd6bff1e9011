using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Tessera.Gateway;

/// <summary>Registers Tessera.Gateway.</summary>
public static class TesseraGatewayServiceCollectionExtensions
{
    /// <summary>
    /// Adds the replica of Tessera's tokens and the background work that keeps it (snapshot, long-polled changes, use
    /// reports). Options come from the configuration section <c>Tessera</c> (<c>Url</c>, <c>GatewayKey</c>,
    /// <c>TrustWindow</c>, …), then from <paramref name="configure"/>; they are checked at start.
    /// </summary>
    public static IServiceCollection AddTesseraGateway(this IServiceCollection services, Action<TesseraGatewayOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<TesseraGatewayOptions>().BindConfiguration(TesseraGatewayOptions.Section);
        if (configure is not null)
        {
            options.Configure(configure);
        }
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TesseraGatewayOptions>, TesseraGatewayOptionsValidation>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddProblemDetails();
        services.TryAddSingleton(sp => new TesseraReplica(sp.GetRequiredService<IOptions<TesseraGatewayOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new FeedClient(sp.GetRequiredService<IOptions<TesseraGatewayOptions>>().Value));
        services.TryAddSingleton<GatewayMetrics>();
        services.AddHostedService<FeedFollower>();
        services.AddHostedService<UsageReporter>();
        return services;
    }
}
