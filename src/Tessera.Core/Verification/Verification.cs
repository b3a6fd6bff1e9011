namespace Tessera.Core.Verification;

/// <summary>
/// A verification's outcome and, when the token was found, a copy of what the query side knows of it
/// (<see cref="KnownToken.IsEmpty"/> otherwise).
/// </summary>
public readonly record struct Verification(VerificationOutcome Outcome, KnownToken Token)
{
    public bool Passed => Outcome == VerificationOutcome.Usable;

    /// <summary>The refusal code of API.md §4; "ok" when the token passed.</summary>
    public string Code => CodeOf(Outcome);

    public static string CodeOf(VerificationOutcome outcome) => outcome switch
    {
        VerificationOutcome.Usable => "ok",
        VerificationOutcome.Missing => ErrorCodes.TokenMissing,
        VerificationOutcome.Malformed => ErrorCodes.TokenMalformed,
        VerificationOutcome.Unknown => ErrorCodes.TokenUnknown,
        VerificationOutcome.Cancelled => ErrorCodes.TokenCancelled,
        VerificationOutcome.Expired => ErrorCodes.TokenExpired,
        VerificationOutcome.WrongWorkload => ErrorCodes.TokenWrongWorkload,
        _ => ErrorCodes.TokenUnassigned,
    };
}
