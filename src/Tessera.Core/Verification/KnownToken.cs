using Tessera.Core.Tokens;

namespace Tessera.Core.Verification;

/// <summary>
/// What the query side remembers of one token: just enough to decide and answer, in about 80 bytes so
/// a million fit in memory. Immutable except for the uses not yet flushed to the store;
/// any change to the token replaces the whole entry.
/// </summary>
public sealed class KnownToken
{
    private readonly Guid _id;
    private readonly long _expiresAtMs;
    private readonly bool _cancelled;
    private long _pendingUses;
    private long _lastUsedMs;

    public KnownToken(string tokenId, string name, TokenStatus status, DateTimeOffset expiresAt, WorkloadLabel? workload)
    {
        // Ids are "tok_" + 32 hex digits: kept as the 16 bytes they encode.
        _id = Guid.ParseExact(tokenId.AsSpan(Ids.Token.Length), "N");
        Name = name;
        _cancelled = status == TokenStatus.Cancelled;
        _expiresAtMs = expiresAt.ToUnixTimeMilliseconds();
        Workload = workload;
    }

    public string Id => string.Create(Ids.Token.Length + 32, _id, static (chars, id) =>
    {
        Ids.Token.CopyTo(chars);
        id.TryFormat(chars[Ids.Token.Length..], out _, "N");
    });

    public string Name { get; }

    public TokenStatus Status => _cancelled ? TokenStatus.Cancelled : TokenStatus.Active;

    public DateTimeOffset ExpiresAt => DateTimeOffset.FromUnixTimeMilliseconds(_expiresAtMs);

    /// <summary>Null when the token is unassigned.</summary>
    public WorkloadLabel? Workload { get; }

    public TokenState StateAt(DateTimeOffset now) => QueryToken.StateOf(Status, ExpiresAt, Workload is not null, now);

    /// <summary>Counts one use; true when this is the first use since the last flush took them.</summary>
    internal bool RecordUse(long nowMs)
    {
        Volatile.Write(ref _lastUsedMs, nowMs);
        return Interlocked.Increment(ref _pendingUses) == 1;
    }

    /// <summary>Takes the uses counted so far; zero when there are none.</summary>
    internal long TakeUses(out long lastUsedMs)
    {
        lastUsedMs = Volatile.Read(ref _lastUsedMs);
        return Interlocked.Exchange(ref _pendingUses, 0);
    }

    /// <summary>Puts back uses a failed flush took; true when the entry must be queued again.</summary>
    internal bool ReturnUses(long uses) => Interlocked.Add(ref _pendingUses, uses) == uses;
}
