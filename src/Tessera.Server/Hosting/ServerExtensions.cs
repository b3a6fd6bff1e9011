using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.OpenApi;
using OpenTelemetry.Metrics;
using Scalar.AspNetCore;
using Tessera.Contracts;
using Tessera.Core.Tokens;
using Tessera.Core.Verification;
using Tessera.Server.Abuse;
using Tessera.Server.Auth;
using Tessera.Server.Background;
using Tessera.Server.Endpoints;
using Tessera.Server.Health;
using Tessera.Server.Http;
using Tessera.Server.Lattica;
using Tessera.Server.Leaks;
using Tessera.Server.WebConsole;
using Tessera.Server.Webhooks;
using Tessera.Core.Webhooks;
using Tessera.Storage.Sql;

namespace Tessera.Server.Hosting;

/// <summary>The web host: services, middleware and routes, in one place.</summary>
public static class ServerExtensions
{
    private static readonly Dictionary<string, string?> LoggingDefaults = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
    };

    public static WebApplicationBuilder AddTesseraServer(this WebApplicationBuilder builder)
    {
        // Defaults that every configuration source overrides (issue 6): ASP.NET Core's own logs from Warning
        // up, as in its templates, so the server as shipped does not write two lines for every request it answers.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = LoggingDefaults });
        var services = builder.Services;
        var settings = TesseraSettings.From(builder.Configuration);
        services.AddTesseraCore(settings, builder.Environment.ContentRootPath);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = settings.Http.MaxRequestBodyBytes;
            k.AddServerHeader = false;
        });

        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, TesseraJsonContext.Default);
            // A context's own converters do not travel with it into other options: instants end in Z.
            o.SerializerOptions.Converters.Add(new UtcInstantJsonConverter());
        });
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
            context.ProblemDetails.Extensions.TryAdd("code", Problems.CodeFor(status));
        });
        services.AddExceptionHandler<TesseraExceptionHandler>();

        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, LicenseKeyAuthentication>(LicenseKeyAuthentication.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(LicenseKeyAuthentication.Policy, p => p.AddAuthenticationSchemes(LicenseKeyAuthentication.SchemeName).RequireAuthenticatedUser())
            .AddScopePolicies(); // one per scope; each endpoint names its own where it is mapped (ADR 0011)

        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Tessera",
                Version = "v1",
                Description = "Query tokens for private AI workloads. Management calls take 'Authorization: Bearer tsl_…' (a license key); " +
                              "the query side takes 'Authorization: Bearer tsq_…' (a query token).",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[OpenApiSecurity.Scheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "A license key (tsl_…) for management, a query token (tsq_…) for the query side.",
            };
            return Task.CompletedTask;
        }).AddOperationTransformer(OpenApiSecurity.RequireBearerAsync).AddOperationTransformer(OpenApiQueryParameters.AddAsync).AddOperationTransformer(OpenApiDescribedBodies.AddAsync)
            .AddDocumentTransformer(OpenApiProblems.AddSchemaAsync).AddOperationTransformer(OpenApiProblems.UseProblemSchemaAsync).AddOperationTransformer(OpenApiExamples.AddAsync).AddOperationTransformer(OpenApiAlternativeContent.AddAsync)
            .AddOperationTransformer(OpenApiBoundBodies.RemoveParametersAsync).AddSchemaTransformer(OpenApiOptionalFields.DescribeAsync));

        // Trust (issue #7): failure limits per client address; X-Forwarded-For from trusted proxies only.
        services.AddSingleton(_ => new FailureLimiter(settings.Abuse));
        services.AddSingleton<TesseraExceptionHandler>();
        services.AddSingleton<GatewayAnswers>();
        services.Configure<Microsoft.AspNetCore.Builder.ForwardedHeadersOptions>(o => ForwardedHeadersSetup.Configure(o, settings.Http.TrustedProxies));
        services.AddSingleton(MetricsAccess.Parse(settings.Metrics.AllowedNetworks)); // issue 13: /metrics for the monitoring network only
        // HTTPS answers (direct, or through a trusted proxy's X-Forwarded-Proto) tell browsers to stay on HTTPS for a year.
        // Not includeSubDomains: other sites under the operator's domain are not Tessera's to pin. The framework's
        // exclusion of localhost stays, so a developer's browser is not pinned for every local site.
        services.AddHsts(o => o.MaxAge = TimeSpan.FromDays(365));
        // End trust (issue #7).

        services.AddTesseraHealthChecks();
        services.AddHostedService<DatabaseInitializer>();
        services.AddHostedService<TokenChangeFollower>();
        services.AddHostedService<ChangeListener>(); // PostgreSQL push (issue 16)
        services.AddHostedService<KnownTokenRefresher>();
        services.AddHostedService<DatabaseStatistics>();
        services.AddSingleton<ExpiryMarker>(); // the list indexes' passed expiries (issue 23, ADR 0012)
        services.AddHostedService(sp => sp.GetRequiredService<ExpiryMarker>());
        services.AddSingleton<UsageFlusher>();
        services.AddHostedService(sp => sp.GetRequiredService<UsageFlusher>());
        // Audit trail (ADR 0008)
        services.AddSingleton<AuditPruner>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditPruner>());
        services.AddSingleton<UsagePruner>();
        services.AddHostedService(sp => sp.GetRequiredService<UsagePruner>());
        services.AddSingleton<DatabaseMetrics>();
        // Leak response (issue 18): GitHub's keys are fetched with a short timeout and a User-Agent (GitHub's API refuses calls without one).
        services.AddSingleton(settings.Leaks);
        services.AddSingleton<LeakMetrics>();
        services.AddSingleton<GitHubKeys>();
        services.AddHttpClient(GitHubKeys.ClientName, c =>
        {
            c.Timeout = TimeSpan.FromSeconds(10);
            c.DefaultRequestHeaders.UserAgent.ParseAdd("Tessera");
        });
        // Events and webhooks (issue 14, ADR 0015)
        services.AddSingleton<IWebhookSecretProtector, DataProtectionWebhookSecrets>();
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<WebhookMetrics>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        services.AddSingleton<ExpiryScanner>();
        services.AddHostedService(sp => sp.GetRequiredService<ExpiryScanner>());
        services.AddSingleton<WebhookPruner>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookPruner>());
        builder.AddTesseraTelemetry();
        builder.AddTesseraConsole(); // the web console (issue 3): its pages own '/'
        DataProtectionCertificate.Apply(services, settings.DataProtection); // issue 19: keys encrypted at rest when asked
        return builder;
    }

    public static WebApplication UseTesseraServer(this WebApplication app)
    {
        // The meter provider listens before any instrument is created, so the counters' zeros are recorded (issue 19).
        app.Services.GetRequiredService<MeterProvider>();
        // Issue 19: a misspelled key is otherwise ignored without a word.
        UnknownSettings.Warn(app.Configuration, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Tessera.Server.Configuration"));
        // Trust (issue #7): the client address first, then security headers on every answer.
        app.UseForwardedHeaders();
        app.UseHsts(); // after the scheme is known, before the gateway answers, so every HTTPS answer carries it
        // What gateways and load balancers ask on every request, answered before routing (issue 6).
        GatewayAnswers.UseGatewayAnswers(app);
        app.UseRouting();
        app.UseApiSecurityHeaders();
        // End trust (issue #7).
        app.UseExceptionHandler();
        // Decided by the database the storage built (whatever spelling of the provider named it), with its effective timeout.
        if (app.Services.GetRequiredService<SqlDatabase>() is PostgresDatabase postgres)
        {
            ReserveThreadsForHungCancels();
            // Inside the exception handler, so a request cut short by it answers 503 (issue 13).
            app.UseDatabaseDeadline(postgres.Timeout);
        }
        app.UseStatusCodePages(StatusCodeProblems.WriteAsync); // issue #7: a problem with a code whatever the Accept header
        app.Use(static (context, next) =>
        {
            // API answers may carry secrets (creation) or fresh state (verification): nothing is cached.
            context.Response.Headers.CacheControl = ApiSecurityHeaders.NoStore;
            context.Response.Headers.XContentTypeOptions = ApiSecurityHeaders.NoSniff;
            return next(context);
        });
        app.UseTesseraConsole(); // the web console (issue 3): headers, embedded assets, pages
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous().ExemptFromScopes("the API description is public");
        // No font CDN: works offline; no SDK/deploy toolbar or AI agent in a self-hosted tool (issue 19).
        app.MapScalarApiReference("/docs", o => o.WithTitle("Tessera API").DisableDefaultFonts().HideDeveloperTools().DisableAgent()).AllowAnonymous()
            .ExemptFromScopes("the API reference is public");

        app.MapHealthEndpoints();

        app.Services.GetRequiredService<DatabaseMetrics>(); // its instruments exist once it does
        app.Services.GetRequiredService<TokenMetrics>();
        app.Services.GetRequiredService<WebhookMetrics>();
        app.Services.GetRequiredService<VerificationMetrics>();
        // Judged by the client address UseForwardedHeaders resolved; everyone else finds nothing there (issue 13).
        app.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null, app.Services.GetRequiredService<MetricsAccess>().Guard, optionsName: null)
            .ExemptFromScopes("metrics are for the monitoring network (Tessera:Metrics:AllowedNetworks), not for license keys");

        app.MapQueryEndpoints();
        var v1 = app.MapGroup("/v1").RequireAuthorization(LicenseKeyAuthentication.Policy);
        v1.MapAccountEndpoints();
        v1.MapWorkloadEndpoints();
        v1.MapTokenEndpoints();
        app.MapLatticaEndpoints(); // Lattica-compatible surface (API.md §5)
        v1.MapAuditEndpoints(); // Audit trail (ADR 0008)
        v1.MapUsageEndpoints(); // Usage over time (issue 17, ADR 0017)
        v1.MapTokenCsvEndpoints(); // CSV export and bulk import (issue 17, ADR 0017)
        v1.MapLeakEndpoints(); // Leak response (issue 18)
        v1.MapMemberEndpoints(); // Members and invitations (issue 22)
        app.MapInvitationAcceptance();
        v1.MapGatewayFeedEndpoints(); // Gateway feed (issue 16)
        v1.MapWebhookEndpoints(); // Events and webhooks (issue 14)
        app.MapGitHubLeakEndpoint();
        return app;
    }

    /// <summary>
    /// Npgsql cancels a statement that timed out (or was cancelled) by sending PostgreSQL a cancel request on a new
    /// connection, and negotiates that connection's encryption synchronously: against a database that hangs, each
    /// cancel blocks a thread-pool thread for the connect timeout. On two cores the pool then adds threads slowly
    /// (about one a second), and the query side's 1 s store deadline, a timer on that pool, fired up to 0.8 s
    /// late (measured; thread dumps showed NpgsqlConnector.DoCancelRequest → SetupEncryption). A higher minimum
    /// lets the pool start threads without that delay; it costs nothing while nothing blocks (ADR 0007, amendment).
    /// </summary>
    private static void ReserveThreadsForHungCancels()
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, (4 * Environment.ProcessorCount) + 16), completionPorts);
    }
}
