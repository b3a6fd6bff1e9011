using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Tessera.Core.Audit;
using Tessera.Core.Secrets;
using Tessera.Core.Storage;
using Tessera.Core.Validation;

namespace Tessera.Core.Accounts;

/// <summary>Accounts and license keys: bootstrap, creation, authentication, key management.</summary>
public sealed class AccountService(IAccountStore store, IAuditStore audit, TimeProvider time)
{
    /// <summary>How stale a key's lastUsedAt may get before an authentication writes it again.</summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    /// <summary>When each revoked key's refusal was last recorded: at most one entry per key per minute and server.</summary>
    private readonly ConcurrentDictionary<string, DateTimeOffset> _refusalsRecorded = new(StringComparer.Ordinal);

    /// <summary>
    /// On an empty database, creates the first account. With <paramref name="configuredKey"/> (a
    /// well-formed tsl_ key) that key is used and null is returned; otherwise the new key is returned
    /// so the host can show it once. Returns null too when an account already exists.
    /// </summary>
    public async Task<string?> BootstrapAsync(string? configuredKey, CancellationToken cancellationToken)
    {
        EnsureWellFormedBootstrapKey(configuredKey);
        if (await store.AnyAccountAsync(cancellationToken))
        {
            return null;
        }
        var secret = string.IsNullOrEmpty(configuredKey) ? SecretFormat.Generate(SecretKind.LicenseKey) : configuredKey;
        await OpenAsync("Default account", secret, AuditActors.System, cancellationToken);
        return string.IsNullOrEmpty(configuredKey) ? secret : null;
    }

    /// <summary>Refuses a configured bootstrap key that is not a well-formed tsl_ key (empty means none).</summary>
    public static void EnsureWellFormedBootstrapKey(string? configuredKey)
    {
        if (!string.IsNullOrEmpty(configuredKey) && !SecretFormat.IsWellFormed(configuredKey, SecretKind.LicenseKey))
        {
            throw new TesseraConfigurationException(
                "Tessera:Bootstrap:LicenseKey is not a well-formed tsl_ license key (53 characters, valid checksum).");
        }
    }

    /// <summary>Creates an account and its first license key (the server's command line); the secret is returned once.</summary>
    public async Task<(Account Account, string LicenseKey)> CreateAccountAsync(string? name, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var validName = TextRules.Name(name, "name", errors);
        errors.ThrowIfAny();
        var secret = SecretFormat.Generate(SecretKind.LicenseKey);
        var account = await OpenAsync(validName!, secret, AuditActors.Admin, cancellationToken);
        return (account, secret);
    }

    /// <summary>Checks a presented license key where no client address is known.</summary>
    public Task<(string? Code, Caller? Caller)> AuthenticateAsync(string? presented, CancellationToken cancellationToken) =>
        AuthenticateAsync(presented, null, cancellationToken);

    /// <summary>
    /// Checks a presented license key; no storage is touched unless it is well-formed. A revoked key is
    /// recorded in its account's audit trail (an unknown one belongs to no account, and a flood of random
    /// values must not turn into database writes).
    /// </summary>
    public async Task<(string? Code, Caller? Caller)> AuthenticateAsync(string? presented, string? clientIp, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return (ErrorCodes.LicenseKeyMissing, null);
        }
        if (!SecretFormat.TryHash(presented, SecretKind.LicenseKey, out var hash))
        {
            return (ErrorCodes.LicenseKeyMalformed, null);
        }
        var key = await store.FindLicenseKeyAsync(hash, cancellationToken);
        if (key is null || key.IsRevoked)
        {
            if (key is not null)
            {
                await RecordRefusalAsync(key, clientIp, cancellationToken);
            }
            return (ErrorCodes.LicenseKeyInvalid, null);
        }
        var now = Instants.Now(time);
        if (key.LastUsedAt is null || now - key.LastUsedAt >= LastUsedResolution)
        {
            await store.TouchLicenseKeyAsync(key.Id, now, cancellationToken);
        }
        return (null, new Caller(key.AccountId, key.Id, clientIp));
    }

    /// <summary>
    /// Records that a revoked key was presented, once per key per <see cref="LastUsedResolution"/>: someone
    /// still holds it, but a client retrying in a loop must not turn every refusal into a database write.
    /// </summary>
    private async Task RecordRefusalAsync(LicenseKey key, string? clientIp, CancellationToken cancellationToken)
    {
        var now = Instants.Now(time);
        var last = _refusalsRecorded.GetValueOrDefault(key.Id, DateTimeOffset.MinValue);
        if (now - last < LastUsedResolution || (!_refusalsRecorded.TryUpdate(key.Id, now, last) && !_refusalsRecorded.TryAdd(key.Id, now)))
        {
            return;
        }
        await audit.AppendAsync(AuditEntry.By(new Caller(key.AccountId, key.Id, clientIp), now, AuditActions.LicenseKeyRefused, key.Id,
            null, new JsonObject { ["reason"] = "revoked" }), cancellationToken);
    }

    public async Task<Account> GetAccountAsync(Caller caller, CancellationToken cancellationToken) =>
        await store.GetAccountAsync(caller.AccountId, cancellationToken)
        ?? throw TesseraException.NotFound(ErrorCodes.NotFound, "account");

    public Task<IReadOnlyList<LicenseKey>> ListLicenseKeysAsync(Caller caller, CancellationToken cancellationToken) =>
        store.ListLicenseKeysAsync(caller.AccountId, cancellationToken);

    /// <summary>Creates another license key for the caller's account; the secret is returned once.</summary>
    public async Task<(LicenseKey Key, string Secret)> CreateLicenseKeyAsync(Caller caller, string? name, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var validName = TextRules.Name(name, "name", errors);
        errors.ThrowIfAny();
        var secret = SecretFormat.Generate(SecretKind.LicenseKey);
        var key = LicenseKey.Issue(caller.AccountId, validName!, secret, Instants.Now(time));
        await store.InsertLicenseKeyAsync(key, cancellationToken,
            [AuditEntry.By(caller, key.CreatedAt, AuditActions.LicenseKeyCreated, key.Id, null, KeyFields(key))]);
        return (key, secret);
    }

    public async Task RevokeLicenseKeyAsync(Caller caller, string keyId, CancellationToken cancellationToken)
    {
        if (!Ids.IsWellFormed(Ids.LicenseKey, keyId))
        {
            throw TesseraException.NotFound(ErrorCodes.LicenseKeyNotFound, "license key");
        }
        var now = Instants.Now(time);
        // Written by the store only if it revokes: revoking a revoked key changes nothing.
        var entry = AuditEntry.By(caller, now, AuditActions.LicenseKeyRevoked, keyId,
            new JsonObject { ["status"] = "active" }, new JsonObject { ["status"] = "revoked" });
        var result = await store.RevokeLicenseKeyAsync(caller.AccountId, keyId, now, cancellationToken, [entry]);
        switch (result)
        {
            case SaveResult.NotFound:
                throw TesseraException.NotFound(ErrorCodes.LicenseKeyNotFound, "license key");
            case SaveResult.LastActiveKey:
                throw new TesseraException(ProblemKind.Conflict, ErrorCodes.LastLicenseKey,
                    "This is the account's last active license key; create another before revoking it.");
        }
    }

    private async Task<Account> OpenAsync(string name, string secret, string actor, CancellationToken cancellationToken)
    {
        var now = Instants.Now(time);
        var account = Account.Open(name, now);
        var key = LicenseKey.Issue(account.Id, "Initial key", secret, now);
        await store.CreateAccountAsync(account, key, cancellationToken,
        [
            AuditEntry.Local(actor, account.Id, now, AuditActions.AccountCreated, account.Id, null, new JsonObject { ["name"] = name }),
            AuditEntry.Local(actor, account.Id, now, AuditActions.LicenseKeyCreated, key.Id, null, KeyFields(key)),
        ]);
        return account;
    }

    private static JsonObject KeyFields(LicenseKey key) => new() { ["name"] = key.Name, ["hint"] = key.Hint };
}
