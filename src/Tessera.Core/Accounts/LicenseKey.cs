using Tessera.Core.Secrets;

namespace Tessera.Core.Accounts;

/// <summary>Management access to one account. Only the hash and a hint of the secret are kept.</summary>
public sealed class LicenseKey
{
    private LicenseKey(string id, string accountId, string name, SecretHash hash, string hint,
        DateTimeOffset createdAt, DateTimeOffset? lastUsedAt, DateTimeOffset? revokedAt)
    {
        Id = id;
        AccountId = accountId;
        Name = name;
        Hash = hash;
        Hint = hint;
        CreatedAt = createdAt;
        LastUsedAt = lastUsedAt;
        RevokedAt = revokedAt;
    }

    public string Id { get; }

    public string AccountId { get; }

    public string Name { get; }

    public SecretHash Hash { get; }

    public string Hint { get; }

    public DateTimeOffset CreatedAt { get; }

    public DateTimeOffset? LastUsedAt { get; }

    public DateTimeOffset? RevokedAt { get; }

    public bool IsRevoked => RevokedAt is not null;

    /// <summary>Issues a key for a secret the caller generated (or was given, for bootstrap).</summary>
    public static LicenseKey Issue(string accountId, string name, string secret, DateTimeOffset now) =>
        new(Ids.New(Ids.LicenseKey, now), accountId, name, SecretHash.Of(secret), SecretFormat.Hint(secret), now, null, null);

    public static LicenseKey Rehydrate(string id, string accountId, string name, SecretHash hash, string hint,
        DateTimeOffset createdAt, DateTimeOffset? lastUsedAt, DateTimeOffset? revokedAt) =>
        new(id, accountId, name, hash, hint, createdAt, lastUsedAt, revokedAt);
}
