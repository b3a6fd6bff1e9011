using System.Globalization;
using System.Text;

namespace Tessera.Core.Validation;

/// <summary>
/// The rules for names, notes and descriptions (API.md §2). Lengths count Unicode scalar values after
/// trimming. Names refuse control characters, unpaired surrogates and bidirectional overrides (which
/// can make a name display as something else); notes and descriptions allow tab and line breaks.
/// </summary>
public static class TextRules
{
    public const int NameMax = 100;
    public const int NoteMax = 1000;

    /// <summary>Validates a required name; returns it trimmed, or null after recording an error.</summary>
    public static string? Name(string? raw, string field, ValidationErrors errors)
    {
        if (raw is null)
        {
            errors.Add(field, "Required.");
            return null;
        }
        var value = raw.Trim();
        if (value.Length == 0)
        {
            errors.Add(field, "Must not be empty.");
            return null;
        }
        return Check(value, field, NameMax, allowLineBreaks: false, errors) ? value : null;
    }

    /// <summary>Validates free text (a note or description); null means empty.</summary>
    public static string? FreeText(string? raw, string field, ValidationErrors errors)
    {
        var value = (raw ?? string.Empty).Trim();
        return Check(value, field, NoteMax, allowLineBreaks: true, errors) ? value : null;
    }

    private static bool Check(string value, string field, int max, bool allowLineBreaks, ValidationErrors errors)
    {
        var count = 0;
        for (var i = 0; i < value.Length; i++)
        {
            if (Rune.DecodeFromUtf16(value.AsSpan(i), out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                errors.Add(field, "Contains an invalid (unpaired surrogate) character.");
                return false;
            }
            i += consumed - 1;
            count++;
            if (!IsAllowed(rune, allowLineBreaks))
            {
                errors.Add(field, $"Contains a control character (U+{rune.Value:X4}).");
                return false;
            }
        }
        if (count > max)
        {
            errors.Add(field, $"Must be at most {max} characters.");
            return false;
        }
        return true;
    }

    private static bool IsAllowed(Rune rune, bool allowLineBreaks)
    {
        if (allowLineBreaks && rune.Value is '\n' or '\r' or '\t')
        {
            return true;
        }
        var category = Rune.GetUnicodeCategory(rune);
        if (category is UnicodeCategory.Control or UnicodeCategory.Surrogate or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
        {
            return false;
        }
        // Bidirectional embeddings, overrides and isolates.
        return rune.Value is not ((>= 0x202A and <= 0x202E) or (>= 0x2066 and <= 0x2069));
    }
}
