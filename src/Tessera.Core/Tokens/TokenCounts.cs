namespace Tessera.Core.Tokens;

/// <summary>Tokens by derived state (API.md §2) and the usable ones expiring soon (within the asked window).</summary>
public sealed record TokenCounts(long Usable, long Unassigned, long Expired, long Cancelled, long UsableExpiringSoon)
{
    public long Total => Usable + Unassigned + Expired + Cancelled;

    public long Of(TokenState state) => state switch
    {
        TokenState.Usable => Usable,
        TokenState.Unassigned => Unassigned,
        TokenState.Expired => Expired,
        _ => Cancelled,
    };
}
