using Tessera.Core.Storage;

namespace Tessera.Core.Accounts;

/// <summary>
/// Ending console sessions. The console's cookie is sealed and self-contained: without a record, a copy
/// saved before sign-out would stay valid until it expired. Sign-out therefore writes a record that every
/// server checks; the record is kept until the session's absolute end, after which the cookie is refused
/// by its own age and the record can go.
/// </summary>
public sealed class ConsoleSessionService(IConsoleSessionStore store, TimeProvider time)
{
    /// <summary>
    /// How many ended records one sign-out deletes: more than one, so records cannot pile up faster than
    /// sign-outs remove them, and few, so the write stays short (the same bound-the-batch rule as audit pruning).
    /// </summary>
    public const int PruneBatchSize = 100;

    /// <summary>Ends the caller's console session on every server; <paramref name="endsAt"/> is its absolute end.</summary>
    public async Task SignOutAsync(Caller caller, DateTimeOffset endsAt, CancellationToken cancellationToken)
    {
        var sessionId = caller.ConsoleSessionId ?? throw new ArgumentException("The caller has no console session.", nameof(caller));
        await store.RevokeAsync(sessionId, caller.AccountId, Instants.Now(time), Instants.Truncate(endsAt), PruneBatchSize, cancellationToken);
    }

    /// <summary>True when the session was signed out (on any server).</summary>
    public Task<bool> IsSignedOutAsync(string sessionId, CancellationToken cancellationToken) =>
        store.IsRevokedAsync(sessionId, cancellationToken);
}
