namespace Tessera.Core.Imports;

/// <summary>Why one row of an import cannot be created: the row (1 = first after the header), the column, a stable code and words.</summary>
public sealed record TokenImportError(int Row, string Field, string Code, string Message);
