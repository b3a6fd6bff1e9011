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
    /// <summary>The change would leave an account that has owners without one (issue 22).</summary>
    LastOwner,
    /// <summary>A member with this email already exists (on this server: one person, one console identity).</summary>
    EmailTaken,
    /// <summary>The invitation was already used or has expired.</summary>
    InvitationSpent,
    /// <summary>Another write already holds this key (a bulk import's Idempotency-Key).</summary>
    KeyTaken,
}
