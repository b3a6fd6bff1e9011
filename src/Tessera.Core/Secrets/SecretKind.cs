namespace Tessera.Core.Secrets;

/// <summary>The two kinds of secret Tessera issues; each has its own prefix.</summary>
public enum SecretKind
{
    /// <summary>Management access for one account: <c>tsl_</c>.</summary>
    LicenseKey,

    /// <summary>One end user's access to one workload: <c>tsq_</c>.</summary>
    QueryToken,
}
