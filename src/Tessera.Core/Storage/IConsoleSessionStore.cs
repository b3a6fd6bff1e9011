namespace Tessera.Core.Storage;

/// <summary>
/// Console sessions signed out before their absolute end. The records live in the database, so a sign-out
/// through one server is honoured by every server sharing it.
/// </summary>
public interface IConsoleSessionStore
{
    /// <summary>
    /// Records that <paramref name="sessionId"/> was signed out (recording it again changes nothing) and, in the
    /// same write, deletes up to <paramref name="pruneLimit"/> records of sessions that ended before
    /// <paramref name="revokedAt"/>. Returns how many it deleted.
    /// </summary>
    Task<int> RevokeAsync(string sessionId, string accountId, DateTimeOffset revokedAt, DateTimeOffset expiresAt, int pruneLimit,
        CancellationToken cancellationToken);

    /// <summary>True when <paramref name="sessionId"/> was signed out.</summary>
    Task<bool> IsRevokedAsync(string sessionId, CancellationToken cancellationToken);
}
