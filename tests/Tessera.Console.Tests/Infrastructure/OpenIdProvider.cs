using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Tessera.Console.Tests.Infrastructure;

/// <summary>
/// A real OpenID provider for the single sign-on tests: an OpenIddict server in the test process on a loopback port,
/// with the authorization code flow and PKCE required, signed id tokens (an ephemeral RSA key), a registered confidential
/// client with its exact redirect URI, and a plain login page of its own that the browser fills in. Its people are
/// added by the tests (<see cref="AddPerson"/>), each with the email and email_verified the id token will carry.
/// </summary>
public sealed class OpenIdProvider : IAsyncDisposable
{
    public const string ClientId = "tessera-console";

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Person> _people = new(StringComparer.Ordinal);

    private OpenIdProvider(WebApplication app, Uri authority)
    {
        _app = app;
        Authority = authority;
    }

    public sealed record Person(string Login, string Password, string Subject, string Email, bool EmailVerified, string Name);

    public Uri Authority { get; }

    /// <summary>The client's secret, new for each provider.</summary>
    public string ClientSecret { get; } = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));

    public Person AddPerson(string email, bool emailVerified = true, string? subject = null, string? name = null)
    {
        var person = new Person(email, "idp-" + Guid.NewGuid().ToString("N"), subject ?? "sub-" + Guid.NewGuid().ToString("N"), email, emailVerified,
            name ?? email.Split('@')[0]);
        _people[person.Login] = person;
        return person;
    }

    public static async Task<OpenIdProvider> StartAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var services = builder.Services;
        var database = "idp-" + Guid.NewGuid().ToString("N");
        services.AddDbContext<DbContext>(o =>
        {
            o.UseInMemoryDatabase(database);
            o.UseOpenIddict();
        });
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.Cookie.Name = "idp_session";
            o.LoginPath = "/login";
        });
        services.AddOpenIddict()
            .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<DbContext>())
            .AddServer(o =>
            {
                o.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token");
                o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
                o.RegisterScopes(Scopes.OpenId, Scopes.Email, Scopes.Profile);
                o.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
                o.DisableAccessTokenEncryption();
                o.UseAspNetCore().EnableAuthorizationEndpointPassthrough().DisableTransportSecurityRequirement();
            });
        var app = builder.Build();
        app.UseAuthentication();
        var provider = default(OpenIdProvider);
        // Browsers ask any site for its icon; a 404 here would be logged as an error of the page under test.
        app.MapGet("/favicon.ico", () => Results.NoContent());
        app.MapGet("/login", (HttpContext http) => Results.Content(LoginPage(http.Request.Query["ReturnUrl"].ToString(), failed: false), "text/html"));
        app.MapPost("/login", async (HttpContext http) =>
        {
            var form = await http.Request.ReadFormAsync();
            var returnUrl = form["returnUrl"].ToString();
            if (!provider!._people.TryGetValue(form["login"].ToString(), out var person) || person.Password != form["password"].ToString())
            {
                return Results.Content(LoginPage(returnUrl, failed: true), "text/html", statusCode: 401);
            }
            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, person.Login)], CookieAuthenticationDefaults.AuthenticationScheme);
            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
            return Results.Redirect(returnUrl.StartsWith("/connect/authorize", StringComparison.Ordinal) ? returnUrl : "/");
        });
        app.MapMethods("/connect/authorize", ["GET", "POST"], async (HttpContext http) =>
        {
            var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("not an OpenID Connect request");
            var signedIn = await http.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            if (!signedIn.Succeeded || !provider!._people.TryGetValue(signedIn.Principal!.Identity!.Name!, out var person))
            {
                return Results.Challenge(new AuthenticationProperties { RedirectUri = http.Request.Path + http.Request.QueryString },
                    [CookieAuthenticationDefaults.AuthenticationScheme]);
            }
            var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
            identity.SetClaim(Claims.Subject, person.Subject).SetClaim(Claims.Email, person.Email).SetClaim(Claims.Name, person.Name);
            identity.AddClaim(new Claim(Claims.EmailVerified, person.EmailVerified ? "true" : "false", ClaimValueTypes.Boolean));
            identity.SetScopes(request.GetScopes());
            identity.SetDestinations(_ => [Destinations.IdentityToken, Destinations.AccessToken]);
            return Results.SignIn(new ClaimsPrincipal(identity), null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        provider = new OpenIdProvider(app, new Uri(address.TrimEnd('/') + "/"));
        return provider;
    }

    /// <summary>Registers the console as a confidential client whose only redirect URI is <paramref name="console"/>'s callback.</summary>
    public async Task RegisterConsoleAsync(Uri console)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        if (await manager.FindByClientIdAsync(ClientId) is { } existing)
        {
            await manager.DeleteAsync(existing);
        }
        await manager.CreateAsync(new OpenIddictApplicationDescriptor
        {
            ClientId = ClientId,
            ClientSecret = ClientSecret,
            ClientType = ClientTypes.Confidential,
            RedirectUris = { new Uri(console, "/sign-in/oidc") },
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.GrantTypes.AuthorizationCode,
                Permissions.ResponseTypes.Code, Permissions.Scopes.Email, Permissions.Scopes.Profile,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static string LoginPage(string returnUrl, bool failed) =>
        $"""
        <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head><body>
        <h1>Test identity provider</h1>
        {(failed ? "<p role=\"alert\">Wrong login or password.</p>" : "")}
        <form method="post" action="/login">
        <input type="hidden" name="returnUrl" value="{HtmlEncoder.Default.Encode(returnUrl)}">
        <label for="login">Login</label><input id="login" name="login">
        <label for="password">Password</label><input id="password" name="password" type="password">
        <button type="submit">Log in</button>
        </form></body></html>
        """;
}
