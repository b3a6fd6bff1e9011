using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.FileProviders;
using Tessera.Server.Auth;
using Tessera.Storage.Sql;

namespace Tessera.Server.WebConsole;

/// <summary>
/// The web console: Razor Pages under WebConsole/Pages calling the Core use cases directly, a cookie
/// session, antiforgery on every form, Data Protection keys under the data directory, and its own
/// security headers. Static files (CSS, JS) are embedded in the assembly, so nothing depends on the
/// working directory or a CDN.
/// </summary>
public static class ConsoleExtensions
{
    public const string AssetPath = "/console";

    public static WebApplicationBuilder AddTesseraConsole(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var settings = ConsoleSettings.From(builder.Configuration);
        var contentRoot = builder.Environment.ContentRootPath;
        services.AddSingleton(settings);

        services.AddDataProtection().SetApplicationName("Tessera");
        services.AddOptions<KeyManagementOptions>().Configure<SqlDatabase, ILoggerFactory>((options, database, logs) =>
            options.XmlRepository = new FileSystemXmlRepository(
                new DirectoryInfo(ConsoleKeys.Directory(settings.KeysDirectory, database, contentRoot)), logs));

        var authentication = services.AddAuthentication();
        if (settings.Oidc.IsConfigured)
        {
            ConsoleSso.Add(authentication, settings.Oidc);
        }
        authentication.AddCookie(ConsoleSession.Scheme, o =>
        {
            o.Cookie.Name = ConsoleSession.CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.LoginPath = "/sign-in";
            o.LogoutPath = "/sign-out";
            o.AccessDeniedPath = "/sign-in";
            o.ExpireTimeSpan = settings.SessionIdleTimeout;
            o.SlidingExpiration = true;
            o.Events.OnValidatePrincipal = ConsoleSession.ValidateAsync;
        });
        services.AddAuthorizationBuilder().AddPolicy(ConsoleSession.Policy,
            p => p.AddAuthenticationSchemes(ConsoleSession.Scheme).RequireAuthenticatedUser());
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "tessera_antiforgery";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest; // the framework's default would send it over HTTP from an HTTPS page
            o.FormFieldName = "__antiforgery";
            o.SuppressXFrameOptionsHeader = true; // ConsoleSecurityHeaders sends DENY
        });
        services.AddSingleton<Tessera.Core.Members.ISecretSealer, Members.DataProtectionSecretSealer>(); // TOTP secrets (issue 22)
        services.AddSingleton<TotpSetup>();
        services.AddMemoryCache();
        services.AddSingleton<TokenDrafts>();
        services.AddRazorPages(o =>
        {
            o.RootDirectory = "/WebConsole/Pages";
            o.Conventions.AuthorizeFolder("/", ConsoleSession.Policy);
            o.Conventions.AllowAnonymousToPage("/SignIn");
            o.Conventions.AllowAnonymousToPage("/Invitation");
            o.Conventions.AllowAnonymousToPage("/SignInSso");
        }).AddMvcOptions(o =>
        {
            o.Filters.Add<ConsoleProblemFilter>();
            o.Filters.Add<ConsoleScopeFilter>(); // what the signed-in key may do (ADR 0011)
        });
        return builder;
    }

    public static WebApplication UseTesseraConsole(this WebApplication app)
    {
        app.Use(ConsoleSecurityHeaders.ApplyAsync);
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new EmbeddedFileProvider(typeof(ConsoleExtensions).Assembly, "Tessera.Server.WebConsole.Assets"),
            RequestPath = AssetPath,
        });
        app.MapRazorPages();
        // Browsers ask for /favicon.ico on their own (e.g. when showing a bare asset).
        app.MapGet("/favicon.ico", () => TypedResults.Redirect(AssetPath + "/favicon.svg")).ExcludeFromDescription()
            .ExemptFromScopes("a redirect to a public asset");
        return app;
    }
}
