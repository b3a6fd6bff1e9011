using Microsoft.AspNetCore.Authentication;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Tessera.Server.WebConsole;

/// <summary>
/// OpenID Connect single sign-on for the console (issue 22, ADR 0022): the authorization code flow with PKCE against the
/// server's one provider (Tessera:Console:Oidc). The handler only proves who the person is: its ticket lands in a short
/// external cookie, and the /sign-in/sso page decides (through <see cref="Tessera.Core.Members.MemberSsoService"/>) whether
/// and as which member they enter, then starts an ordinary console session.
/// </summary>
public static class ConsoleSso
{
    public const string Scheme = "Oidc";

    /// <summary>Holds the provider's answer between its callback and the /sign-in/sso page, for minutes at most.</summary>
    public const string ExternalScheme = "ConsoleExternal";

    public const string CallbackPath = "/sign-in/oidc";

    public const string PagePath = "/sign-in/sso";

    public static void Add(AuthenticationBuilder authentication, OidcSettings oidc)
    {
        authentication.AddCookie(ExternalScheme, o =>
        {
            o.Cookie.Name = "tessera_sso";
            o.Cookie.HttpOnly = true;
            // Lax, not Strict: the provider's redirect back is a navigation from another site.
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Cookie.Path = "/sign-in";
            o.ExpireTimeSpan = TimeSpan.FromMinutes(5);
            o.SlidingExpiration = false;
        });
        authentication.AddOpenIdConnect(Scheme, o =>
        {
            o.Authority = oidc.Authority;
            o.ClientId = oidc.ClientId;
            o.ClientSecret = oidc.ClientSecret;
            o.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
            o.ResponseType = OpenIdConnectResponseType.Code;
            // The code comes back in the query of a top-level GET, which Lax cookies (the handler's correlation and nonce) go with.
            o.ResponseMode = OpenIdConnectResponseMode.Query;
            o.UsePkce = true;
            o.Scope.Clear();
            o.Scope.Add("openid");
            o.Scope.Add("email");
            o.Scope.Add("profile");
            o.CallbackPath = CallbackPath;
            o.SignInScheme = ExternalScheme;
            o.MapInboundClaims = false; // the id token's claim names as they are: sub, email, email_verified, name
            o.SaveTokens = false; // the provider's tokens are of no further use here
            o.DisableTelemetry = true;
            o.CorrelationCookie.SameSite = o.NonceCookie.SameSite = SameSiteMode.Lax;
            o.CorrelationCookie.SecurePolicy = o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Events.OnRemoteFailure = context =>
            {
                // A replayed or forged state, an id token that fails validation, an error from the provider: one refusal
                // page, never a 500. The reason goes to the log and (bounded) to the audit trail, not to the address bar.
                context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ConsoleSso))
                    .LogWarning(context.Failure, "A single sign-on was refused by the OpenID Connect handler");
                context.Response.Redirect(PagePath + "?handler=Failed");
                context.HandleResponse();
                return Task.CompletedTask;
            };
        });
    }
}
