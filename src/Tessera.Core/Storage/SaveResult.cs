namespace Tessera.Core.Storage;

/// <summary>What the store reports back from a write; the use case turns it into an answer.</summary>
public enum SaveResult
{
    Saved,
    NotFound,
    /// <summary>The row's version is no longer the one the change was based on.</summary>
    VersionConflict,
    /// <summary>Another workload of the account already has this name (case-insensitive).</summary>
    NameTaken,
    /// <summary>The referenced workload does not exist in the account (any more).</summary>
    WorkloadMissing,
    /// <summary>Revoking this license key would leave the account without an active one.</summary>
    LastActiveKey,
    /// <summary>Another write already holds this key (a bulk import's Idempotency-Key).</summary>
    KeyTaken,
}
