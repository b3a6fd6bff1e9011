using System.Data.Common;
using Dapper;
using Tessera.Core.Audit;
using Tessera.Core.Members;
using Tessera.Core.Secrets;
using Tessera.Core.Storage;

namespace Tessera.Storage.Sql;

/// <summary>Members and invitations (migration 0012) on any <see cref="SqlDatabase"/>.</summary>
public sealed class SqlMemberStore(SqlDatabase database) : IMemberStore
{
    private const string MemberColumns =
        "id, account_id, email, display_name, role, workload_ids, password_hash, created_at, updated_at, last_sign_in_at, totp_secret, totp_last_step, recovery_codes, sso_subject";

    private const string InvitationColumns =
        "id, account_id, email, display_name, role, workload_ids, secret_hash, created_at, expires_at, accepted_at, member_id";

    public async Task<IReadOnlyList<Member>> ListMembersAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<MemberRow>(new CommandDefinition(
            $"SELECT {MemberColumns} FROM members WHERE account_id = @accountId ORDER BY created_at, id", new { accountId }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToDomain())];
    }

    public Task<Member?> FindMemberByEmailAsync(string email, CancellationToken cancellationToken) => OneMemberAsync("email = @value", email, cancellationToken);

    public Task<Member?> GetMemberAsync(string memberId, CancellationToken cancellationToken) => OneMemberAsync("id = @value", memberId, cancellationToken);

    public Task<SaveResult> UpdateMemberAsync(Member member, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null) =>
        database.WriteAsync(async (connection, transaction, ct) =>
        {
            await database.LockAccountAsync(connection, transaction, member.AccountId, ct);
            if (await RefusalAsync(connection, transaction, member.AccountId, member.Id, member.IsOwner, ct) is { } refusal)
            {
                return WriteOutcome.RollBack(refusal);
            }
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE members SET role = @Role, display_name = @DisplayName, workload_ids = @WorkloadIds, updated_at = @UpdatedAt WHERE id = @Id",
                new { member.Role, member.DisplayName, WorkloadIds = Join(member.WorkloadIds), UpdatedAt = Ms.Of(member.UpdatedAt), member.Id },
                transaction, cancellationToken: ct));
            await SqlAuditStore.WriteAsync(connection, transaction, audit, ct);
            return WriteOutcome.Commit(SaveResult.Saved);
        }, cancellationToken);

    public Task<SaveResult> DeleteMemberAsync(string accountId, string memberId, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null) =>
        database.WriteAsync(async (connection, transaction, ct) =>
        {
            await database.LockAccountAsync(connection, transaction, accountId, ct);
            if (await RefusalAsync(connection, transaction, accountId, memberId, stillOwner: false, ct) is { } refusal)
            {
                return WriteOutcome.RollBack(refusal);
            }
            // Remembered so single sign-on does not bring the address back as a new member (ADR 0022).
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO removed_members (email, account_id) SELECT email, account_id FROM members WHERE id = @memberId
                ON CONFLICT (email) DO UPDATE SET account_id = excluded.account_id
                """, new { memberId }, transaction, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition("DELETE FROM members WHERE id = @memberId", new { memberId }, transaction, cancellationToken: ct));
            await SqlAuditStore.WriteAsync(connection, transaction, audit, ct);
            return WriteOutcome.Commit(SaveResult.Saved);
        }, cancellationToken);

    public Task SetPasswordAsync(string memberId, string passwordHash, DateTimeOffset at, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null) =>
        database.WriteAsync(async (connection, transaction, ct) =>
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE members SET password_hash = @passwordHash, updated_at = @at WHERE id = @memberId",
                new { memberId, passwordHash, at = Ms.Of(at) }, transaction, cancellationToken: ct));
            await SqlAuditStore.WriteAsync(connection, transaction, audit, ct);
        }, cancellationToken);

    public Task SetTotpAsync(string memberId, string? sealedSecret, IReadOnlyList<string> recoveryCodeHashes, DateTimeOffset at,
        CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null) =>
        database.WriteAsync(async (connection, transaction, ct) =>
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE members SET totp_secret = @sealedSecret, recovery_codes = @codes, totp_last_step = 0, updated_at = @at WHERE id = @memberId",
                new { memberId, sealedSecret, codes = recoveryCodeHashes.Count == 0 ? null : string.Join(' ', recoveryCodeHashes), at = Ms.Of(at) },
                transaction, cancellationToken: ct));
            await SqlAuditStore.WriteAsync(connection, transaction, audit, ct);
        }, cancellationToken);

    public Task SetRecoveryCodesAsync(string memberId, IReadOnlyList<string> recoveryCodeHashes, DateTimeOffset at, CancellationToken cancellationToken,
        IReadOnlyList<AuditEntry>? audit = null) =>
        database.WriteAsync(async (connection, transaction, ct) =>
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE members SET recovery_codes = @codes, updated_at = @at WHERE id = @memberId AND totp_secret IS NOT NULL",
                new { memberId, codes = recoveryCodeHashes.Count == 0 ? null : string.Join(' ', recoveryCodeHashes), at = Ms.Of(at) },
                transaction, cancellationToken: ct));
            await SqlAuditStore.WriteAsync(connection, transaction, audit, ct);
        }, cancellationToken);

    public Task<bool> UseTotpStepAsync(string memberId, long step, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction, ct) =>
        {
            // One conditional UPDATE: of two servers shown the same code, one wins.
            var used = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE members SET totp_last_step = @step WHERE id = @memberId AND totp_last_step < @step", new { memberId, step }, transaction,
                cancellationToken: ct));
            return used == 1 ? WriteOutcome.Commit(true) : WriteOutcome.RollBack(false);
        }, cancellationToken);

    public Task<bool> UseRecoveryCodeAsync(string memberId, string codeHash, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction, ct) =>
        {
            var codes = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                "SELECT recovery_codes FROM members WHERE id = @memberId", new { memberId }, transaction, cancellationToken: ct));
            var left = Split(codes) ?? [];
            if (!left.Contains(codeHash, StringComparer.Ordinal))
            {
                return WriteOutcome.RollBack(false);
            }
            var rest = left.Where(c => c != codeHash).ToList();
            // Compared with what was read, so two uses of one code at once spend it once.
            var spent = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE members SET recovery_codes = @rest WHERE id = @memberId AND recovery_codes = @codes",
                new { memberId, codes, rest = rest.Count == 0 ? null : string.Join(' ', rest) }, transaction, cancellationToken: ct));
            return spent == 1 ? WriteOutcome.Commit(true) : WriteOutcome.RollBack(false);
        }, cancellationToken);

    public Task TouchSignInAsync(string memberId, DateTimeOffset at, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction, ct) => connection.ExecuteAsync(new CommandDefinition(
            "UPDATE members SET last_sign_in_at = @at WHERE id = @memberId", new { memberId, at = Ms.Of(at) }, transaction, cancellationToken: ct)),
            cancellationToken);

    public Task InsertInvitationAsync(Invitation invitation, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null) =>
        database.WriteAsync(async (connection, transaction, ct) =>
        {
            await connection.ExecuteAsync(new CommandDefinition(
                $"""
                INSERT INTO invitations ({InvitationColumns})
                VALUES (@Id, @AccountId, @Email, @DisplayName, @Role, @WorkloadIds, @Hash, @CreatedAt, @ExpiresAt, NULL, NULL)
                """,
                new
                {
                    invitation.Id, invitation.AccountId, invitation.Email, invitation.DisplayName, invitation.Role,
                    WorkloadIds = Join(invitation.WorkloadIds), Hash = invitation.Hash.ToArray(),
                    CreatedAt = Ms.Of(invitation.CreatedAt), ExpiresAt = Ms.Of(invitation.ExpiresAt),
                },
                transaction, cancellationToken: ct));
            await SqlAuditStore.WriteAsync(connection, transaction, audit, ct);
        }, cancellationToken);

    public async Task<IReadOnlyList<Invitation>> ListInvitationsAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<InvitationRow>(new CommandDefinition(
            $"SELECT {InvitationColumns} FROM invitations WHERE account_id = @accountId ORDER BY created_at, id", new { accountId },
            cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.ToDomain())];
    }

    public async Task<Invitation?> FindInvitationAsync(SecretHash hash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<InvitationRow>(new CommandDefinition(
            $"SELECT {InvitationColumns} FROM invitations WHERE secret_hash = @hash", new { hash = hash.ToArray() }, cancellationToken: cancellationToken));
        return row?.ToDomain();
    }

    public Task<SaveResult> DeleteInvitationAsync(string accountId, string invitationId, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null) =>
        database.WriteAsync(async (connection, transaction, ct) =>
        {
            var deleted = await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM invitations WHERE id = @invitationId AND account_id = @accountId AND accepted_at IS NULL",
                new { invitationId, accountId }, transaction, cancellationToken: ct));
            if (deleted == 0)
            {
                return WriteOutcome.RollBack(SaveResult.NotFound);
            }
            await SqlAuditStore.WriteAsync(connection, transaction, audit, ct);
            return WriteOutcome.Commit(SaveResult.Saved);
        }, cancellationToken);

    public Task<SaveResult> AcceptInvitationAsync(string invitationId, Member member, DateTimeOffset at, CancellationToken cancellationToken,
        IReadOnlyList<AuditEntry>? audit = null) =>
        database.WriteAsync(async (connection, transaction, ct) =>
        {
            // One UPDATE decides who spends the invitation: of two uses at once, only one sees it still pending.
            var spent = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE invitations SET accepted_at = @at, member_id = @memberId WHERE id = @invitationId AND accepted_at IS NULL AND expires_at > @at",
                new { invitationId, memberId = member.Id, at = Ms.Of(at) }, transaction, cancellationToken: ct));
            if (spent == 0)
            {
                return WriteOutcome.RollBack(SaveResult.InvitationSpent);
            }
            if (!await InsertNewMemberAsync(connection, transaction, member, ct))
            {
                return WriteOutcome.RollBack(SaveResult.EmailTaken);
            }
            // Asked back by an owner or admin: single sign-on may bring this address back again after a later removal only.
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM removed_members WHERE email = @Email", new { member.Email }, transaction, cancellationToken: ct));
            await SqlAuditStore.WriteAsync(connection, transaction, audit, ct);
            return WriteOutcome.Commit(SaveResult.Saved);
        }, cancellationToken);

    public Task<bool> BindSsoSubjectAsync(string memberId, string subject, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction, ct) =>
        {
            // Bound once: of two first sign-ins at once, the second sees the subject the first bound.
            var bound = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE members SET sso_subject = @subject WHERE id = @memberId AND (sso_subject IS NULL OR sso_subject = @subject)",
                new { memberId, subject }, transaction, cancellationToken: ct));
            return bound == 1 ? WriteOutcome.Commit(true) : WriteOutcome.RollBack(false);
        }, cancellationToken);

    public Task<SaveResult> InsertSsoMemberAsync(Member member, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null) =>
        database.WriteAsync(async (connection, transaction, ct) =>
        {
            await database.LockAccountAsync(connection, transaction, member.AccountId, ct);
            if (await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                    "SELECT 1 FROM removed_members WHERE email = @Email AND account_id = @AccountId", new { member.Email, member.AccountId }, transaction,
                    cancellationToken: ct)) is not null)
            {
                return WriteOutcome.RollBack(SaveResult.NotFound);
            }
            if (!await InsertNewMemberAsync(connection, transaction, member, ct))
            {
                return WriteOutcome.RollBack(SaveResult.EmailTaken);
            }
            await SqlAuditStore.WriteAsync(connection, transaction, audit, ct);
            return WriteOutcome.Commit(SaveResult.Saved);
        }, cancellationToken);

    /// <summary>
    /// Adds a member who has never signed in (by invitation: a password hash; by single sign-on: the provider's subject);
    /// false, and nothing written, when the address is already a member's (of any account).
    /// </summary>
    private static async Task<bool> InsertNewMemberAsync(DbConnection connection, DbTransaction transaction, Member member,
        CancellationToken cancellationToken)
    {
        if (await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                "SELECT 1 FROM members WHERE email = @Email", new { member.Email }, transaction, cancellationToken: cancellationToken)) is not null)
        {
            return false;
        }
        await connection.ExecuteAsync(new CommandDefinition(
            $"""
            INSERT INTO members ({MemberColumns})
            VALUES (@Id, @AccountId, @Email, @DisplayName, @Role, @WorkloadIds, @PasswordHash, @CreatedAt, @UpdatedAt, NULL, NULL, 0, NULL, @SsoSubject)
            """,
            new
            {
                member.Id, member.AccountId, member.Email, member.DisplayName, member.Role, WorkloadIds = Join(member.WorkloadIds),
                member.PasswordHash, CreatedAt = Ms.Of(member.CreatedAt), UpdatedAt = Ms.Of(member.UpdatedAt), member.SsoSubject,
            },
            transaction, cancellationToken: cancellationToken));
        return true;
    }

    /// <summary>
    /// Why the member cannot be changed or removed: gone (NotFound), or the last owner of the account losing the role
    /// (<paramref name="stillOwner"/> false). Read under the account's lock.
    /// </summary>
    private static async Task<SaveResult?> RefusalAsync(DbConnection connection, DbTransaction transaction, string accountId, string memberId,
        bool stillOwner, CancellationToken cancellationToken)
    {
        var role = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT role FROM members WHERE id = @memberId AND account_id = @accountId", new { memberId, accountId }, transaction,
            cancellationToken: cancellationToken));
        if (role is null)
        {
            return SaveResult.NotFound;
        }
        if (role != Roles.Owner || stillOwner)
        {
            return null;
        }
        var otherOwners = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM members WHERE account_id = @accountId AND role = @owner AND id <> @memberId",
            new { accountId, owner = Roles.Owner, memberId }, transaction, cancellationToken: cancellationToken));
        return otherOwners == 0 ? SaveResult.LastOwner : null;
    }

    private async Task<Member?> OneMemberAsync(string condition, string value, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<MemberRow>(new CommandDefinition(
            $"SELECT {MemberColumns} FROM members WHERE {condition}", new { value }, cancellationToken: cancellationToken));
        return row?.ToDomain();
    }

    private static string? Join(IReadOnlyList<string>? ids) => ids is null ? null : string.Join(' ', ids);

    private static IReadOnlyList<string>? Split(string? ids) => ids?.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private sealed class MemberRow
    {
        public string Id { get; set; } = "";
        public string AccountId { get; set; } = "";
        public string Email { get; set; } = "";
        public string DisplayName { get; set; } = "";
        public string Role { get; set; } = "";
        public string? WorkloadIds { get; set; }
        public string? PasswordHash { get; set; }
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }
        public long? LastSignInAt { get; set; }
        public string? TotpSecret { get; set; }
        public long TotpLastStep { get; set; }
        public string? RecoveryCodes { get; set; }
        public string? SsoSubject { get; set; }

        public Member ToDomain() => new(Id, AccountId, Email, DisplayName, Role, Split(WorkloadIds), PasswordHash,
            Ms.At(CreatedAt), Ms.At(UpdatedAt), Ms.At(LastSignInAt))
        {
            TotpSecret = TotpSecret,
            TotpLastStep = TotpLastStep,
            RecoveryCodeHashes = Split(RecoveryCodes) ?? [],
            SsoSubject = SsoSubject,
        };
    }

    private sealed class InvitationRow
    {
        public string Id { get; set; } = "";
        public string AccountId { get; set; } = "";
        public string Email { get; set; } = "";
        public string DisplayName { get; set; } = "";
        public string Role { get; set; } = "";
        public string? WorkloadIds { get; set; }
        public byte[] SecretHash { get; set; } = [];
        public long CreatedAt { get; set; }
        public long ExpiresAt { get; set; }
        public long? AcceptedAt { get; set; }
        public string? MemberId { get; set; }

        public Invitation ToDomain() => new(Id, AccountId, Email, DisplayName, Role, Split(WorkloadIds), Core.Secrets.SecretHash.FromBytes(SecretHash),
            Ms.At(CreatedAt), Ms.At(ExpiresAt), Ms.At(AcceptedAt), MemberId);
    }
}
