namespace Tessera.Server.Auth;

/// <summary>
/// The scope a license key needs for an endpoint (API.md §8), or null for "any valid key". Endpoint metadata,
/// added where a route is mapped by <see cref="ScopeEndpointExtensions"/>; on a console page model, an attribute on
/// the class (its GET) and on each POST handler. The authorization policy enforces it on <c>/v1</c>, the Lattica
/// surface and the console's page filter where they authenticate, the refusal names it, and the scope matrix test
/// reads it.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false)]
public sealed class RequiredScopeAttribute(string? scope) : Attribute
{
    public string? Scope { get; } = scope;
}
