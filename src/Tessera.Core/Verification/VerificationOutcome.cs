namespace Tessera.Core.Verification;

/// <summary>The query side's answer about a presented token; only <see cref="Usable"/> passes.</summary>
public enum VerificationOutcome
{
    Usable,
    Missing,
    Malformed,
    Unknown,
    Cancelled,
    Expired,
    Unassigned,

    /// <summary>Usable, but bound to another workload than the one the gateway guards (403, not 401).</summary>
    WrongWorkload,
}
