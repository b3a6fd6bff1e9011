namespace Tessera.Storage.Sql;

/// <summary>
/// The row a versioned write targets: its table (with columns <c>id</c>, <c>account_id</c>, <c>version</c>), account and
/// id, and the version it must still have; null writes whatever version is stored.
/// </summary>
internal readonly record struct VersionedRow(string Table, string AccountId, string Id, long? Version);
