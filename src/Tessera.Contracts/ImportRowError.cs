namespace Tessera.Contracts;

/// <summary>Why one row of an import cannot be created (422 import_invalid_rows).</summary>
/// <param name="Row">The row in the file (1 = the first row after the header).</param>
/// <param name="Field">The column: name, workloadId, note or expiresAt.</param>
/// <param name="Code">required, invalid, duplicate, out_of_range, workload_not_found or workload_not_allowed.</param>
/// <param name="Message">The same in words.</param>
public sealed record ImportRowError(int Row, string Field, string Code, string Message);
