namespace Tessera.Core.Imports;

/// <summary>A row whose values passed: trimmed name and note, workload (null: unassigned), expiry (null: the lifetime).</summary>
public sealed record ValidImportRow(int Row, string Name, string Note, string? WorkloadId, DateTimeOffset? ExpiresAt);
