using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;

namespace Tessera.Server.Csv;

/// <summary>
/// The CSV Tessera writes and reads (API.md §10): RFC 4180 (quotes where needed, CRLF line ends), UTF-8 without a BOM.
/// Every written field that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) is prefixed
/// with an apostrophe and quoted, as OWASP's CSV injection guidance says; a name like <c>=cmd|' /C calc'!A0</c> then
/// shows as text. Reading accepts a BOM, CRLF or LF, and quoted fields with commas, quotes and line breaks.
/// </summary>
public static class CsvFormat
{
    public const string ContentType = "text/csv";

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private static readonly CsvConfiguration WriteConfiguration = new(CultureInfo.InvariantCulture)
    {
        NewLine = "\r\n",
        InjectionOptions = InjectionOptions.Escape,
    };

    /// <summary>A writer over <paramref name="stream"/>; the caller flushes it (per page or batch) and disposes it.</summary>
    public static CsvWriter Writer(Stream stream) =>
        new(new StreamWriter(stream, Utf8, bufferSize: 64 * 1024, leaveOpen: true), WriteConfiguration);

    /// <summary>A reader of <paramref name="text"/>; <paramref name="badData"/> hears of a stray quote (with the raw record).</summary>
    public static CsvReader Reader(TextReader text, Action<string> badData) =>
        new(text, new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            BadDataFound = args => badData(args.RawRecord),
            MissingFieldFound = null,
            DetectColumnCountChanges = false,
            IgnoreBlankLines = true,
        });

    /// <summary>Writes one record from <paramref name="fields"/> and ends it (asynchronously: Kestrel allows no blocking write).</summary>
    public static Task WriteRowAsync(CsvWriter writer, params string?[] fields)
    {
        foreach (var field in fields)
        {
            writer.WriteField(field ?? "");
        }
        return writer.NextRecordAsync();
    }

    /// <summary>True when a Content-Type header names CSV (a charset parameter, if any, must be UTF-8 or ASCII).</summary>
    public static bool IsCsv(string? contentType)
    {
        if (contentType is null || !Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return false;
        }
        var charset = media.Charset.Value;
        return media.MediaType.Equals(ContentType, StringComparison.OrdinalIgnoreCase)
            && (charset is null || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("us-ascii", StringComparison.OrdinalIgnoreCase));
    }
}
