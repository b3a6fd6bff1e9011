using Tessera.Core.Secrets;

namespace Tessera.Core.Accounts;

/// <summary>
/// Management access to one account. Only the hash and a hint of the secret are kept. What the key may do
/// (<see cref="Scopes"/>, <see cref="WorkloadIds"/>) and until when (<see cref="ExpiresAt"/>) are fixed when it
/// is issued: a key is replaced, never widened (ADR 0011).
/// </summary>
public sealed class LicenseKey
{
    private LicenseKey(string id, string accountId, string name, SecretHash hash, string hint,
        DateTimeOffset createdAt, DateTimeOffset? lastUsedAt, DateTimeOffset? revokedAt, KeyGrant grant)
    {
        Id = id;
        AccountId = accountId;
        Name = name;
        Hash = hash;
        Hint = hint;
        CreatedAt = createdAt;
        LastUsedAt = lastUsedAt;
        RevokedAt = revokedAt;
        Scopes = grant.Scopes;
        WorkloadIds = grant.WorkloadIds;
        ExpiresAt = grant.ExpiresAt;
    }

    public string Id { get; }

    public string AccountId { get; }

    public string Name { get; }

    public SecretHash Hash { get; }

    public string Hint { get; }

    public DateTimeOffset CreatedAt { get; }

    public DateTimeOffset? LastUsedAt { get; }

    public DateTimeOffset? RevokedAt { get; }

    /// <summary>Normalized (<see cref="Accounts.Scopes.Normalize"/>): <c>[*]</c> for every key made before scopes.</summary>
    public IReadOnlyList<string> Scopes { get; }

    /// <summary>The workloads the key is bound to, or null for every workload of the account.</summary>
    public IReadOnlyList<string>? WorkloadIds { get; }

    public DateTimeOffset? ExpiresAt { get; }

    public bool IsRevoked => RevokedAt is not null;

    public bool IsExpiredAt(DateTimeOffset now) => ExpiresAt is { } at && now >= at;

    /// <summary>True when the key authenticates requests at <paramref name="now"/>: neither revoked nor expired.</summary>
    public bool IsActiveAt(DateTimeOffset now) => !IsRevoked && !IsExpiredAt(now);

    /// <summary>
    /// True when the key may manage every key of its account at <paramref name="now"/> (keys:manage, no workload
    /// binding): an account must keep one, or nobody could manage its keys without the server's command line.
    /// </summary>
    public bool ManagesEveryKeyAt(DateTimeOffset now) =>
        IsActiveAt(now) && WorkloadIds is null && Accounts.Scopes.Covers(Scopes, Accounts.Scopes.KeysManage);

    public KeyGrant Grant => new(Scopes, WorkloadIds, ExpiresAt);

    /// <summary>Issues a key for a secret the caller generated (or was given, for bootstrap); without a grant it holds every scope.</summary>
    public static LicenseKey Issue(string accountId, string name, string secret, DateTimeOffset now, KeyGrant? grant = null) =>
        new(Ids.New(Ids.LicenseKey, now), accountId, name, SecretHash.Of(secret), SecretFormat.Hint(secret), now, null, null, grant ?? KeyGrant.Full);

    public static LicenseKey Rehydrate(string id, string accountId, string name, SecretHash hash, string hint,
        DateTimeOffset createdAt, DateTimeOffset? lastUsedAt, DateTimeOffset? revokedAt, KeyGrant? grant = null) =>
        new(id, accountId, name, hash, hint, createdAt, lastUsedAt, revokedAt, grant ?? KeyGrant.Full);
}
