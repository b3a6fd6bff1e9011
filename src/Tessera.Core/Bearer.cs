namespace Tessera.Core;

/// <summary>Reads the credential of an <c>Authorization: Bearer …</c> header (RFC 6750 §2.1).</summary>
public static class Bearer
{
    /// <summary>The credential, or null when the header is absent, of another scheme, or empty.</summary>
    public static string? From(string? authorization)
    {
        var value = Credential(authorization);
        return value.IsEmpty ? null : value.ToString();
    }

    /// <summary>The credential without copying it; empty when <see cref="From"/> would be null.</summary>
    public static ReadOnlySpan<char> Credential(string? authorization)
    {
        if (authorization is null || authorization.Length <= 7 ||
            !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }
        return authorization.AsSpan(7).Trim(' ');
    }
}
