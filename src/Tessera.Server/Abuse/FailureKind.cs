namespace Tessera.Server.Abuse;

/// <summary>Which failure budget a refused request draws on.</summary>
public enum FailureKind
{
    /// <summary>A query token was presented and refused (handshake, forward-auth).</summary>
    QueryToken,

    /// <summary>A license key was presented and refused (management API).</summary>
    LicenseKey,
}
