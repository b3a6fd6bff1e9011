namespace Tessera.Server.Csv;

/// <summary>An import file refused as a whole: a problem <paramref name="code"/>, its words, and the row it is about (0: the header), if any.</summary>
public sealed class ImportCsvException(string code, string detail, int? row) : Exception(detail)
{
    public string Code { get; } = code;

    public int? Row { get; } = row;
}
