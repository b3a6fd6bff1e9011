namespace Tessera.Core.Imports;

/// <summary>One data row of an import file as read (1 = the first row after the header); null where the column is absent or empty.</summary>
public sealed record TokenImportRow(int Row, string? Name, string? WorkloadId, string? Note, string? ExpiresAt);
