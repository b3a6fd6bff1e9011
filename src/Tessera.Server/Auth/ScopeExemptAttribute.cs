namespace Tessera.Server.Auth;

/// <summary>
/// This endpoint takes no license key, so no scope applies (health, the query side, the API reference, the
/// console's sign-in). Declared on purpose, with the reason, so the scope matrix test can tell a deliberate
/// exemption from a forgotten scope.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ScopeExemptAttribute(string reason) : Attribute
{
    public string Reason { get; } = reason;
}
