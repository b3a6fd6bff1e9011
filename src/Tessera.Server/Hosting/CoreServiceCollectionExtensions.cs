using Microsoft.Extensions.DependencyInjection.Extensions;
using Tessera.Core.Accounts;
using Tessera.Core.Audit;
using Tessera.Core.Gateway;
using Tessera.Core.Leaks;
using Tessera.Core.Members;
using Tessera.Core.Imports;
using Tessera.Core.Tokens;
using Tessera.Core.Usage;
using Tessera.Core.Verification;
using Tessera.Core.Webhooks;
using Tessera.Core.Workloads;
using Tessera.Server.Members;
using Tessera.Storage;

namespace Tessera.Server.Hosting;

/// <summary>What both the web host and the admin commands need: settings, storage and the use cases.</summary>
public static class CoreServiceCollectionExtensions
{
    public static IServiceCollection AddTesseraCore(this IServiceCollection services, TesseraSettings settings, string contentRoot)
    {
        services.AddSingleton(settings);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(new TokenPolicy(settings.Tokens.Lifetime));
        services.AddTesseraStorage(settings.Database.Provider, settings.Database.ConnectionString, contentRoot, settings.Database.Timeout);
        services.AddSingleton<AccountService>();
        services.AddSingleton<ConsoleSessionService>();
        services.AddSingleton<WorkloadService>();
        services.AddSingleton<TokenMetrics>();
        services.AddSingleton<TokenService>();
        services.AddMetrics();
        services.AddSingleton(settings.Verification);
        services.AddSingleton<KnownTokens>();
        services.AddSingleton<ITokenChangeListener>(sp => sp.GetRequiredService<KnownTokens>());
        services.AddSingleton<StoreBreaker>();
        services.AddSingleton<VerificationMetrics>();
        services.AddSingleton<VerificationService>();
        services.AddSingleton<FeedWakeup>();
        services.AddSingleton<GatewayWaiters>();
        services.AddSingleton<GatewayService>();
        // Audit trail (ADR 0008)
        services.AddSingleton(settings.Audit);
        services.AddSingleton<AuditService>();
        // Leak response (issue 18)
        services.AddSingleton(new LeakOptions(settings.Leaks.ParsedAction));
        services.AddSingleton<LeakService>();
        // Members (issue 22)
        services.AddSingleton<IPasswordHashing, IdentityPasswordHashing>();
        services.AddSingleton<MemberService>();
        services.AddSingleton<MemberSignInService>();
        services.AddSingleton<MemberTotpService>();
        services.AddSingleton<MemberSsoService>(); // single sign-on (ADR 0022)
        // Events and webhooks (issue 14): the secret protector is the web host's (Data Protection).
        services.AddSingleton(settings.Webhooks);
        services.AddSingleton<WebhookDestinations>();
        services.AddSingleton<WebhookService>();
        services.AddSingleton<ExpiryWarnings>();
        // Usage over time and bulk import (issue 17, ADR 0017)
        services.AddSingleton(settings.Usage);
        services.AddSingleton<UsageService>();
        services.AddSingleton<TokenImportService>();
        return services;
    }
}
