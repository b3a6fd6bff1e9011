using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Tessera.Core.Audit;
using Tessera.Core.Events;
using Tessera.Core.Secrets;
using Tessera.Core.Storage;
using Tessera.Core.Validation;

namespace Tessera.Core.Accounts;

/// <summary>Accounts and license keys: bootstrap, creation, authentication, key management.</summary>
public sealed class AccountService(IAccountStore store, IAuditStore audit, IWorkloadStore workloads, TimeProvider time)
{
    /// <summary>How stale a key's lastUsedAt may get before an authentication writes it again.</summary>
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    /// <summary>When each refusal (a revoked or expired key; a key's scope falling short) was last recorded: at most one entry per key, kind and minute per server.</summary>
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
        var now = Instants.Now(time);
        if (key is null || !key.IsActiveAt(now))
        {
            if (key is not null)
            {
                // An expired key is refused exactly as a revoked one (API.md §8); the trail says which it was.
                await RecordRefusalAsync(new Caller(key.AccountId, key.Id, clientIp), AuditActions.LicenseKeyRefused,
                    new JsonObject { ["reason"] = key.IsRevoked ? "revoked" : "expired" }, cancellationToken);
            }
            return (ErrorCodes.LicenseKeyInvalid, null);
        }
        if (key.LastUsedAt is null || now - key.LastUsedAt >= LastUsedResolution)
        {
            await store.TouchLicenseKeyAsync(key.Id, now, cancellationToken);
        }
        return (null, CallerOf(key, clientIp));
    }

    /// <summary>The caller a key authenticates, carrying its scopes and workloads (the console seals these in its cookie).</summary>
    public static Caller CallerOf(LicenseKey key, string? clientIp) =>
        new(key.AccountId, key.Id, clientIp) { Scopes = key.Scopes, WorkloadIds = key.WorkloadIds };

    /// <summary>
    /// Records that <paramref name="caller"/>'s key asked for more than it holds (<paramref name="needed"/>, on
    /// <paramref name="request"/>), throttled like every recorded refusal.
    /// </summary>
    public Task RecordScopeRefusalAsync(Caller caller, string needed, string request, CancellationToken cancellationToken,
        JsonObject? asked = null)
    {
        var details = new JsonObject { ["needed"] = needed, ["request"] = request };
        if (asked is not null)
        {
            details["asked"] = asked;
        }
        return RecordRefusalAsync(caller, AuditActions.LicenseKeyScopeRefused, details, cancellationToken);
    }

    /// <summary>
    /// Records a refusal of a key, once per key, action and details per <see cref="LastUsedResolution"/>: someone
    /// holds the key, but a client retrying in a loop must not turn every refusal into a database write.
    /// </summary>
    private async Task RecordRefusalAsync(Caller caller, string action, JsonObject details, CancellationToken cancellationToken)
    {
        var now = Instants.Now(time);
        var throttleKey = $"{caller.LicenseKeyId} {action} {details.ToJsonString()}";
        var last = _refusalsRecorded.GetValueOrDefault(throttleKey, DateTimeOffset.MinValue);
        if (now - last < LastUsedResolution || (!_refusalsRecorded.TryUpdate(throttleKey, now, last) && !_refusalsRecorded.TryAdd(throttleKey, now)))
        {
            return;
        }
        await audit.AppendAsync(AuditEntry.By(caller, now, action, caller.LicenseKeyId, null, details), cancellationToken);
    }

    public async Task<Account> GetAccountAsync(Caller caller, CancellationToken cancellationToken) =>
        await store.GetAccountAsync(caller.AccountId, cancellationToken)
        ?? throw TesseraException.NotFound(ErrorCodes.NotFound, "account");

    /// <summary>The account's keys that the caller's key could have created: a restricted key sees no wider key.</summary>
    public async Task<IReadOnlyList<LicenseKey>> ListLicenseKeysAsync(Caller caller, CancellationToken cancellationToken) =>
        [.. (await store.ListLicenseKeysAsync(caller.AccountId, cancellationToken)).Where(k => KeyGrantRules.Covers(caller, k))];

    /// <summary>
    /// Creates another license key for the caller's account; the secret is returned once. Asking for more than the
    /// caller's key holds is 403 insufficient_scope, recorded in the audit trail; absent fields take the caller's own.
    /// </summary>
    public async Task<(LicenseKey Key, string Secret)> CreateLicenseKeyAsync(Caller caller, string? name, IReadOnlyList<string>? scopes,
        IReadOnlyList<string>? workloadIds, string? expiresAt, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var validName = TextRules.Name(name, "name", errors);
        errors.ThrowIfAny();
        var now = Instants.Now(time);
        var own = (await store.ListLicenseKeysAsync(caller.AccountId, cancellationToken)).FirstOrDefault(k => k.Id == caller.LicenseKeyId);
        var grant = KeyGrantRules.Resolve(caller, own?.ExpiresAt, scopes, workloadIds, expiresAt, now, out var beyond);
        if (beyond is not null)
        {
            await RecordScopeRefusalAsync(caller, beyond, "POST /v1/license-keys", cancellationToken, GrantFields(grant));
            throw new TesseraException(ProblemKind.Forbidden, ErrorCodes.InsufficientScope,
                $"A license key cannot create a key with more than it holds itself ({beyond}).");
        }
        await KeyGrantRules.EnsureWorkloadsExistAsync(workloads, caller.AccountId, grant.WorkloadIds, now, cancellationToken);
        var secret = SecretFormat.Generate(SecretKind.LicenseKey);
        var key = LicenseKey.Issue(caller.AccountId, validName!, secret, now, grant);
        await store.InsertLicenseKeyAsync(key, cancellationToken,
            [AuditEntry.By(caller, key.CreatedAt, AuditActions.LicenseKeyCreated, key.Id, null, KeyFields(key)).About(EventData.LicenseKey(key))]);
        return (key, secret);
    }

    public async Task RevokeLicenseKeyAsync(Caller caller, string keyId, CancellationToken cancellationToken)
    {
        var key = await GetLicenseKeyAsync(caller, keyId, cancellationToken);
        var now = Instants.Now(time);
        // Written by the store only if it revokes: revoking a revoked key changes nothing.
        var entry = AuditEntry.By(caller, now, AuditActions.LicenseKeyRevoked, keyId,
            new JsonObject { ["status"] = "active" }, new JsonObject { ["status"] = "revoked" }).About(EventData.LicenseKey(key, now));
        var result = await store.RevokeLicenseKeyAsync(caller.AccountId, keyId, now, cancellationToken, [entry]);
        switch (result)
        {
            case SaveResult.NotFound:
                throw TesseraException.NotFound(ErrorCodes.LicenseKeyNotFound, "license key");
            case SaveResult.LastActiveKey:
                throw new TesseraException(ProblemKind.Conflict, ErrorCodes.LastLicenseKey,
                    "This is the account's last active license key that may manage every key (keys:manage on every workload); create another before revoking it.");
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

    private static JsonObject KeyFields(LicenseKey key)
    {
        var fields = GrantFields(key.Grant);
        fields.Insert(0, "name", key.Name);
        fields.Insert(1, "hint", key.Hint);
        return fields;
    }

    /// <summary>The caller's key <paramref name="keyId"/>; a key wider than the caller's is not the caller's to see, let alone change (404).</summary>
    public async Task<LicenseKey> GetLicenseKeyAsync(Caller caller, string keyId, CancellationToken cancellationToken) =>
        Ids.IsWellFormed(Ids.LicenseKey, keyId) &&
        (await store.ListLicenseKeysAsync(caller.AccountId, cancellationToken)).FirstOrDefault(k => k.Id == keyId) is { } key &&
        KeyGrantRules.Covers(caller, key)
            ? key
            : throw TesseraException.NotFound(ErrorCodes.LicenseKeyNotFound, "license key");

    /// <summary>A grant as the audit trail shows it: scopes always, workloads and end when the key has them.</summary>
    private static JsonObject GrantFields(KeyGrant grant)
    {
        var fields = new JsonObject { ["scopes"] = new JsonArray([.. grant.Scopes.Select(s => JsonValue.Create(s))]) };
        if (grant.WorkloadIds is { } bound)
        {
            fields["workloadIds"] = new JsonArray([.. bound.Select(id => JsonValue.Create(id))]);
        }
        if (grant.ExpiresAt is { } end)
        {
            fields["expiresAt"] = Instants.Format(end);
        }
        return fields;
    }

    /// <summary>
    /// A key's grant is fixed at creation (ADR 0011): asking to change it is refused (403 insufficient_scope) and
    /// recorded, like any attempt to widen a key (the door looks the key up first: one the caller cannot see is 404).
    /// </summary>
    public async Task RefuseKeyChangeAsync(Caller caller, LicenseKey key, string request, CancellationToken cancellationToken)
    {
        await RecordScopeRefusalAsync(caller, "grant", request, cancellationToken, new JsonObject { ["keyId"] = key.Id });
        throw new TesseraException(ProblemKind.Forbidden, ErrorCodes.InsufficientScope,
            "A license key's name, scopes, workloads and expiry are fixed when it is created; create a new key and revoke this one.");
    }
}
