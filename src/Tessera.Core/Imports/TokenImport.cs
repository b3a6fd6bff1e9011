namespace Tessera.Core.Imports;

/// <summary>A bulk import under one Idempotency-Key: never a secret, only what a replay answers with.</summary>
public sealed record TokenImport(string Id, string AccountId, string IdempotencyKey, DateTimeOffset CreatedAt, int RowCount);
