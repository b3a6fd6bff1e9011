namespace Tessera.Core.Tokens;

/// <summary>The wire spellings of statuses, states and sorts, shared by every door.</summary>
public static class TokenNames
{
    public static string Of(TokenStatus status) => status == TokenStatus.Active ? "active" : "cancelled";

    public static string Of(TokenState state) => state switch
    {
        TokenState.Usable => "usable",
        TokenState.Unassigned => "unassigned",
        TokenState.Expired => "expired",
        _ => "cancelled",
    };

    public static string Of(TokenSort sort) => sort switch
    {
        TokenSort.ExpiresAt => "expiresAt",
        TokenSort.Name => "name",
        TokenSort.LastUsedAt => "lastUsedAt",
        _ => "createdAt",
    };

    public static bool TryParseStatus(string? value, out TokenStatus status)
    {
        switch (value)
        {
            case "active": status = TokenStatus.Active; return true;
            case "cancelled": status = TokenStatus.Cancelled; return true;
            default: status = default; return false;
        }
    }

    public static bool TryParseState(string? value, out TokenState state)
    {
        switch (value)
        {
            case "usable": state = TokenState.Usable; return true;
            case "unassigned": state = TokenState.Unassigned; return true;
            case "expired": state = TokenState.Expired; return true;
            case "cancelled": state = TokenState.Cancelled; return true;
            default: state = default; return false;
        }
    }

    public static bool TryParseSort(string? value, out TokenSort sort)
    {
        switch (value)
        {
            case "createdAt": sort = TokenSort.CreatedAt; return true;
            case "expiresAt": sort = TokenSort.ExpiresAt; return true;
            case "name": sort = TokenSort.Name; return true;
            case "lastUsedAt": sort = TokenSort.LastUsedAt; return true;
            default: sort = default; return false;
        }
    }
}
