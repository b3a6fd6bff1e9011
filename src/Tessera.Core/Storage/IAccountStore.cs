using Tessera.Core.Accounts;
using Tessera.Core.Audit;
using Tessera.Core.Secrets;

namespace Tessera.Core.Storage;

/// <summary>Accounts and their license keys. Writes append their <c>audit</c> entries in their own transaction, only when they save.</summary>
public interface IAccountStore
{
    Task<bool> AnyAccountAsync(CancellationToken cancellationToken);

    /// <summary>Creates an account together with its first license key, atomically.</summary>
    Task CreateAccountAsync(Account account, LicenseKey firstKey, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null);

    Task<Account?> GetAccountAsync(string accountId, CancellationToken cancellationToken);

    /// <summary>The key (revoked or not) whose secret has this hash.</summary>
    Task<LicenseKey?> FindLicenseKeyAsync(SecretHash hash, CancellationToken cancellationToken);

    Task<IReadOnlyList<LicenseKey>> ListLicenseKeysAsync(string accountId, CancellationToken cancellationToken);

    Task InsertLicenseKeyAsync(LicenseKey key, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null);

    /// <summary>
    /// Revokes a key unless it is the account's last active (unexpired) one, or the last that manages every key
    /// (<see cref="LicenseKey.ManagesEveryKeyAt"/>); checked and written atomically so two concurrent revocations
    /// cannot leave an account locked out. Revoking a revoked key is Saved.
    /// </summary>
    Task<SaveResult> RevokeLicenseKeyAsync(string accountId, string keyId, DateTimeOffset at, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null);

    Task TouchLicenseKeyAsync(string keyId, DateTimeOffset at, CancellationToken cancellationToken);
}
