using Dapper;
using Tessera.Core.Storage;

namespace Tessera.Storage.Sql;

/// <summary>The revoked_console_sessions table (migration 0005) on any <see cref="SqlDatabase"/>.</summary>
public sealed class SqlConsoleSessionStore(SqlDatabase database) : IConsoleSessionStore
{
    public Task<int> RevokeAsync(string sessionId, string accountId, DateTimeOffset revokedAt, DateTimeOffset expiresAt, int pruneLimit,
        CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction, ct) =>
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO revoked_console_sessions (session_id, account_id, revoked_at, expires_at)
                VALUES (@sessionId, @accountId, @revokedAt, @expiresAt)
                ON CONFLICT (session_id) DO NOTHING
                """,
                new { sessionId, accountId, revokedAt = Ms.Of(revokedAt), expiresAt = Ms.Of(expiresAt) }, transaction, cancellationToken: ct));
            // A bounded batch of records whose session has ended anyway, oldest first: sign-outs keep the table
            // at about the sessions signed out within one lifetime, and no write holds the lock for long.
            var pruned = await connection.ExecuteAsync(new CommandDefinition(
                """
                DELETE FROM revoked_console_sessions WHERE session_id IN (
                    SELECT session_id FROM revoked_console_sessions WHERE expires_at < @revokedAt ORDER BY expires_at LIMIT @pruneLimit)
                """,
                new { revokedAt = Ms.Of(revokedAt), pruneLimit }, transaction, cancellationToken: ct));
            return WriteOutcome.Commit(pruned);
        }, cancellationToken);

    public async Task<bool> IsRevokedAsync(string sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT 1 FROM revoked_console_sessions WHERE session_id = @sessionId", new { sessionId }, cancellationToken: cancellationToken)) is not null;
    }
}
