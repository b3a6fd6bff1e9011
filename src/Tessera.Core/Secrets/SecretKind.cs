namespace Tessera.Core.Secrets;

/// <summary>The kinds of secret Tessera issues; each has its own prefix.</summary>
public enum SecretKind
{
    /// <summary>Management access for one account: <c>tsl_</c>.</summary>
    LicenseKey,

    /// <summary>One end user's access to one workload: <c>tsq_</c>.</summary>
    QueryToken,

    /// <summary>A one-time invitation to become a member of an account (issue 22, ADR 0018): <c>tsi_</c>.</summary>
    Invitation,
}
