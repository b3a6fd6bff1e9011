using System.Data.Common;
using Dapper;
using Tessera.Core.Accounts;
using Tessera.Core.Audit;
using Tessera.Core.Secrets;
using Tessera.Core.Storage;

namespace Tessera.Storage.Sql;

/// <summary>Accounts and license keys on any <see cref="SqlDatabase"/>.</summary>
public sealed class SqlAccountStore(SqlDatabase database) : IAccountStore
{
    private const string KeyColumns = "id, account_id, name, key_hash, hint, created_at, last_used_at, revoked_at, scopes, workload_ids, expires_at";

    public async Task<bool> AnyAccountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT 1 FROM accounts LIMIT 1", cancellationToken: cancellationToken)) is not null;
    }

    public Task CreateAccountAsync(Account account, LicenseKey firstKey, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null) =>
        database.WriteAsync(async (connection, transaction, ct) =>
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO accounts (id, name, created_at) VALUES (@Id, @Name, @CreatedAt)",
                new { account.Id, account.Name, CreatedAt = Ms.Of(account.CreatedAt) }, transaction, cancellationToken: ct));
            await InsertKeyAsync(connection, transaction, firstKey, ct);
            await SqlAuditStore.WriteAsync(connection, transaction, audit, ct);
        }, cancellationToken);

    public async Task<Account?> GetAccountAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<AccountRow>(new CommandDefinition(
            "SELECT id, name, created_at FROM accounts WHERE id = @accountId", new { accountId }, cancellationToken: cancellationToken));
        return row is null ? null : Account.Rehydrate(row.Id, row.Name, Ms.At(row.CreatedAt));
    }

    public async Task<LicenseKey?> FindLicenseKeyAsync(SecretHash hash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<KeyRow>(new CommandDefinition(
            $"SELECT {KeyColumns} FROM license_keys WHERE key_hash = @hash", new { hash = hash.ToArray() }, cancellationToken: cancellationToken));
        return row?.ToDomain();
    }

    public async Task<IReadOnlyList<LicenseKey>> ListLicenseKeysAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<KeyRow>(new CommandDefinition(
            $"SELECT {KeyColumns} FROM license_keys WHERE account_id = @accountId ORDER BY created_at, id", new { accountId }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToDomain())];
    }

    public Task InsertLicenseKeyAsync(LicenseKey key, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null) =>
        database.WriteAsync(async (connection, transaction, ct) =>
        {
            await InsertKeyAsync(connection, transaction, key, ct);
            await SqlAuditStore.WriteAsync(connection, transaction, audit, ct);
        }, cancellationToken);

    public Task<SaveResult> RevokeLicenseKeyAsync(string accountId, string keyId, DateTimeOffset at, CancellationToken cancellationToken,
        IReadOnlyList<AuditEntry>? audit = null) =>
        database.WriteAsync(async (connection, transaction, ct) =>
        {
            await database.LockAccountAsync(connection, transaction, accountId, ct);
            var key = await connection.QuerySingleOrDefaultAsync<KeyRow>(new CommandDefinition(
                $"SELECT {KeyColumns} FROM license_keys WHERE id = @keyId AND account_id = @accountId",
                new { keyId, accountId }, transaction, cancellationToken: ct));
            if (key is null)
            {
                return WriteOutcome.RollBack(SaveResult.NotFound);
            }
            if (key.RevokedAt is not null)
            {
                return WriteOutcome.RollBack(SaveResult.Saved); // already revoked: nothing to write
            }
            // Read under the account's lock, so two concurrent revocations cannot both see another key left.
            var others = (await connection.QueryAsync<KeyRow>(new CommandDefinition(
                $"SELECT {KeyColumns} FROM license_keys WHERE account_id = @accountId AND revoked_at IS NULL AND id <> @keyId",
                new { keyId, accountId }, transaction, cancellationToken: ct))).Select(r => r.ToDomain()).ToList();
            if (!others.Any(k => k.IsActiveAt(at)) || (key.ToDomain().ManagesEveryKeyAt(at) && !others.Any(k => k.ManagesEveryKeyAt(at))))
            {
                return WriteOutcome.RollBack(SaveResult.LastActiveKey);
            }
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE license_keys SET revoked_at = @at WHERE id = @keyId",
                new { keyId, at = Ms.Of(at) }, transaction, cancellationToken: ct));
            await SqlAuditStore.WriteAsync(connection, transaction, audit, ct);
            return WriteOutcome.Commit(SaveResult.Saved);
        }, cancellationToken);

    public Task TouchLicenseKeyAsync(string keyId, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction, ct) => connection.ExecuteAsync(new CommandDefinition(
            "UPDATE license_keys SET last_used_at = @at WHERE id = @keyId AND (last_used_at IS NULL OR last_used_at < @at)",
            new { keyId, at = Ms.Of(at) }, transaction, cancellationToken: ct)), cancellationToken);

    private static Task InsertKeyAsync(DbConnection connection, DbTransaction transaction, LicenseKey key, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO license_keys (id, account_id, name, key_hash, hint, created_at, scopes, workload_ids, expires_at)
            VALUES (@Id, @AccountId, @Name, @Hash, @Hint, @CreatedAt, @Scopes, @WorkloadIds, @ExpiresAt)
            """,
            new
            {
                key.Id, key.AccountId, key.Name, Hash = key.Hash.ToArray(), key.Hint, CreatedAt = Ms.Of(key.CreatedAt),
                Scopes = string.Join(' ', key.Scopes),
                WorkloadIds = key.WorkloadIds is { } bound ? string.Join(' ', bound) : null,
                ExpiresAt = Ms.Of(key.ExpiresAt),
            },
            transaction, cancellationToken: cancellationToken));

    private sealed class AccountRow
    {
        public string Id { get; set; } = "";
        public string Name { get; set; } = "";
        public long CreatedAt { get; set; }
    }

    private sealed class KeyRow
    {
        public string Id { get; set; } = "";
        public string AccountId { get; set; } = "";
        public string Name { get; set; } = "";
        public byte[] KeyHash { get; set; } = [];
        public string Hint { get; set; } = "";
        public long CreatedAt { get; set; }
        public long? LastUsedAt { get; set; }
        public long? RevokedAt { get; set; }

        public string Scopes { get; set; } = "*";

        public string? WorkloadIds { get; set; }

        public long? ExpiresAt { get; set; }

        public LicenseKey ToDomain() => LicenseKey.Rehydrate(Id, AccountId, Name, SecretHash.FromBytes(KeyHash), Hint,
            Ms.At(CreatedAt), Ms.At(LastUsedAt), Ms.At(RevokedAt),
            new KeyGrant(Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries), WorkloadIds?.Split(' ', StringSplitOptions.RemoveEmptyEntries), Ms.At(ExpiresAt)));
    }
}
