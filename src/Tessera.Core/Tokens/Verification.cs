namespace Tessera.Core.Tokens;

/// <summary>A verification's outcome and, when the token was found, the token and its workload's name.</summary>
public readonly record struct Verification(VerificationOutcome Outcome, QueryToken? Token, string? WorkloadName)
{
    public bool Passed => Outcome == VerificationOutcome.Usable;

    /// <summary>The refusal code of API.md §4; null when the token passed.</summary>
    public string? Code => Outcome switch
    {
        VerificationOutcome.Usable => null,
        VerificationOutcome.Missing => ErrorCodes.TokenMissing,
        VerificationOutcome.Malformed => ErrorCodes.TokenMalformed,
        VerificationOutcome.Unknown => ErrorCodes.TokenUnknown,
        VerificationOutcome.Cancelled => ErrorCodes.TokenCancelled,
        VerificationOutcome.Expired => ErrorCodes.TokenExpired,
        _ => ErrorCodes.TokenUnassigned,
    };
}
