using Microsoft.AspNetCore.Authorization;
using Tessera.Core.Accounts;

namespace Tessera.Server.Auth;

/// <summary>
/// How an endpoint declares what a license key needs, once, where it is mapped (ADR 0011). A new endpoint under
/// <c>/v1</c> adds one line, e.g. <c>.RequireScope(Scopes.Gateway)</c>; the scope matrix test fails for one that
/// declares nothing.
/// </summary>
public static class ScopeEndpointExtensions
{
    /// <summary>The authorization policy of one scope: a license key (the <see cref="LicenseKeyAuthentication"/> scheme) that holds it.</summary>
    public static string PolicyOf(string scope) => "scope:" + scope;

    /// <summary>The endpoint needs a license key holding <paramref name="scope"/>: 403 insufficient_scope otherwise.</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredScopeAttribute(scope)).RequireAuthorization(PolicyOf(scope));

    /// <summary>The endpoint needs a valid license key, whatever its scopes (reading the caller's own account).</summary>
    public static TBuilder RequireAnyLicenseKey<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredScopeAttribute(null)).RequireAuthorization(LicenseKeyAuthentication.Policy);

    /// <summary>
    /// For a door that authenticates inside its handlers to answer in a shape of its own (the Lattica surface): the
    /// scope is declared here and enforced by that door's credential check (<c>LatticaCredentials</c>).
    /// </summary>
    public static TBuilder DeclareScope<TBuilder>(this TBuilder builder, string? scope)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredScopeAttribute(scope));

    /// <summary>The endpoint takes no license key at all; <paramref name="reason"/> says why, for the reader and the matrix test.</summary>
    public static TBuilder ExemptFromScopes<TBuilder>(this TBuilder builder, string reason)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ScopeExemptAttribute(reason));

    /// <summary>Registers one authorization policy per scope.</summary>
    public static AuthorizationBuilder AddScopePolicies(this AuthorizationBuilder authorization)
    {
        foreach (var scope in Scopes.Named)
        {
            authorization.AddPolicy(PolicyOf(scope), p => p.AddAuthenticationSchemes(LicenseKeyAuthentication.SchemeName)
                .RequireAuthenticatedUser()
                // Evaluated even when authentication failed (every requirement is): only a key's principal has a caller.
                .RequireAssertion(context => context.User.FindFirst(LicenseKeyAuthentication.AccountClaim) is not null && context.User.Caller().Holds(scope)));
        }
        return authorization;
    }
}
