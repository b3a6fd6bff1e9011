namespace Tessera.Core.Imports;

/// <summary>A committed row of an import: its row number in the file (1 = the first row after the header) and its token.</summary>
public readonly record struct ImportedRow(int Row, string TokenId);
