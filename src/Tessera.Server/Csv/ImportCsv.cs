using System.Text;
using CsvHelper;
using Tessera.Core;
using Tessera.Core.Imports;

namespace Tessera.Server.Csv;

/// <summary>
/// Reads the file of <c>POST /v1/tokens/import</c>: a header row naming <c>name</c> (required) and any of
/// <c>workloadId</c>, <c>note</c>, <c>expiresAt</c> (case-insensitive, any order), then at most
/// <see cref="TokenImportService.MaxRows"/> data rows. A file that is not such a CSV is refused as a whole
/// (<see cref="ImportCsvException"/>); the values of its rows are checked by <see cref="TokenImportService"/>.
/// </summary>
public static class ImportCsv
{
    public static readonly IReadOnlyList<string> Columns = ["name", "workloadId", "note", "expiresAt"];

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static IReadOnlyList<TokenImportRow> Read(byte[] body)
    {
        try
        {
            return ReadRows(body);
        }
        catch (DecoderFallbackException)
        {
            throw new ImportCsvException(ErrorCodes.InvalidCsv, "The file is not UTF-8 text.", null);
        }
        catch (CsvHelperException e) when (e is not BadDataException)
        {
            throw new ImportCsvException(ErrorCodes.InvalidCsv, "The file is not well-formed CSV.", e.Context?.Parser?.Row - 1);
        }
    }

    private static List<TokenImportRow> ReadRows(byte[] body)
    {
        using var text = new StreamReader(new MemoryStream(body), StrictUtf8, detectEncodingFromByteOrderMarks: true);
        var row = 0;
        string? badRecord = null;
        using var csv = CsvFormat.Reader(text, raw => badRecord ??= raw);
        if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is not { Length: > 0 } header || header.All(string.IsNullOrWhiteSpace))
        {
            throw new ImportCsvException(ErrorCodes.ImportEmpty, "The file is empty: give a header row (name, workloadId, note, expiresAt) and at least one row.", null);
        }
        var index = HeaderIndex(header);
        var rows = new List<TokenImportRow>();
        while (csv.Read())
        {
            row++;
            if (badRecord is not null)
            {
                throw new ImportCsvException(ErrorCodes.InvalidCsv, $"Row {row} has a quote inside a field that is not quoted; quote the field and double the quote.", row);
            }
            if (row > TokenImportService.MaxRows)
            {
                throw new ImportCsvException(ErrorCodes.ImportTooLarge, $"At most {TokenImportService.MaxRows} rows per import; split the file.", null);
            }
            if (csv.Parser.Count != header.Length)
            {
                throw new ImportCsvException(ErrorCodes.InvalidCsv, $"Row {row} has {csv.Parser.Count} fields; the header has {header.Length}.", row);
            }
            rows.Add(new TokenImportRow(row, Field(csv, index[0]), Field(csv, index[1]), Field(csv, index[2]), Field(csv, index[3])));
        }
        if (badRecord is not null)
        {
            throw new ImportCsvException(ErrorCodes.InvalidCsv, $"Row {row + 1} has a quote that is never closed.", row + 1);
        }
        if (rows.Count == 0)
        {
            throw new ImportCsvException(ErrorCodes.ImportEmpty, "The file has a header but no rows.", null);
        }
        return rows;
    }

    /// <summary>Where each of <see cref="Columns"/> is in the header (-1: absent); refuses unknown, repeated or missing columns.</summary>
    private static int[] HeaderIndex(string[] header)
    {
        var index = new[] { -1, -1, -1, -1 };
        for (var i = 0; i < header.Length; i++)
        {
            var name = header[i].Trim();
            var column = Columns.ToList().FindIndex(c => c.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (column < 0)
            {
                // A misspelt column would otherwise lose its values without a word.
                throw new ImportCsvException(ErrorCodes.InvalidCsv, $"Unknown column '{Shorten(name)}'; the columns are {string.Join(", ", Columns)}.", 0);
            }
            if (index[column] >= 0)
            {
                throw new ImportCsvException(ErrorCodes.InvalidCsv, $"The column '{Columns[column]}' is given twice.", 0);
            }
            index[column] = i;
        }
        if (index[0] < 0)
        {
            throw new ImportCsvException(ErrorCodes.InvalidCsv, "The header has no 'name' column.", 0);
        }
        return index;
    }

    private static string? Field(CsvReader csv, int index) => index < 0 ? null : csv.Parser[index] is { Length: > 0 } value ? value : null;

    private static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";
}
