namespace Tessera.Core.Tokens;

/// <summary>
/// What a token is at an instant, derived; first match wins: cancelled → expired → unassigned → usable.
/// Only <see cref="Usable"/> passes the query side.
/// </summary>
public enum TokenState
{
    Usable,
    Unassigned,
    Expired,
    Cancelled,
}

/// <summary>The one rule deriving a <see cref="TokenState"/>, for a stored token and for the query side's copy of one.</summary>
public static class TokenStates
{
    /// <summary>The state at <paramref name="now"/>; first match wins.</summary>
    public static TokenState Of(TokenStatus status, DateTimeOffset expiresAt, bool assigned, DateTimeOffset now)
    {
        if (status == TokenStatus.Cancelled)
        {
            return TokenState.Cancelled;
        }
        if (now >= expiresAt)
        {
            return TokenState.Expired;
        }
        return assigned ? TokenState.Usable : TokenState.Unassigned;
    }
}
