using System.Globalization;
using System.Text;

namespace Tessera.Core.Storage;

/// <summary>
/// A keyset position: the sort it belongs to, the sort key of the last row seen (a number for
/// instants, text for names) and that row's id. Encoded as an opaque base64url string; a value that
/// does not decode to a cursor of the same list and sort is refused with 400 invalid_cursor.
/// </summary>
public sealed record ListCursor(string List, string Sort, string Id, long? Number, string? Text)
{
    private const string Version = "c1";

    public string Encode()
    {
        var key = Number is { } n ? "n" + n.ToString(CultureInfo.InvariantCulture) : "t" + Text;
        var raw = string.Join('|', Version, List, Sort, Id, key);
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(raw)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>Decodes a cursor for <paramref name="list"/> sorted by <paramref name="sort"/>, with ids of <paramref name="idPrefix"/>.</summary>
    public static ListCursor Decode(string value, string list, string sort, string idPrefix)
    {
        var cursor = TryDecode(value);
        // Sorts named "name" key on text; every other sort keys on a number (an instant in ms).
        var wantsText = sort == "name";
        if (cursor is null || cursor.List != list || cursor.Sort != sort || !Ids.IsWellFormed(idPrefix, cursor.Id) ||
            (cursor.Text is not null) != wantsText)
        {
            throw new TesseraException(ProblemKind.BadRequest, ErrorCodes.InvalidCursor,
                "The cursor is not one this list returned for this sort order.");
        }
        return cursor;
    }

    private static ListCursor? TryDecode(string value)
    {
        if (value.Length is 0 or > 1024)
        {
            return null;
        }
        var b64 = value.Replace('-', '+').Replace('_', '/');
        b64 += new string('=', (4 - (b64.Length % 4)) % 4);
        string raw;
        try
        {
            raw = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Convert.FromBase64String(b64));
        }
        catch (FormatException)
        {
            return null;
        }
        catch (ArgumentException)
        {
            return null;
        }
        var parts = raw.Split('|', 5);
        if (parts.Length != 5 || parts[0] != Version || parts[4].Length == 0)
        {
            return null;
        }
        var key = parts[4];
        if (key[0] == 'n')
        {
            return long.TryParse(key.AsSpan(1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
                ? new ListCursor(parts[1], parts[2], parts[3], number, null)
                : null;
        }
        return key[0] == 't' ? new ListCursor(parts[1], parts[2], parts[3], null, key[1..]) : null;
    }
}
