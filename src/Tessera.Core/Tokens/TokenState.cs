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
