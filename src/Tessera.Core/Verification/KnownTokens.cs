using System.Collections.Concurrent;
using Tessera.Core.Secrets;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Core.Verification.LockFree;

namespace Tessera.Core.Verification;

/// <summary>
/// The query side's memory: tokens by secret hash, hashes the store does not know, and uses not yet
/// flushed. Whatever changes a token makes memory forget it (<see cref="Forget"/>); the next
/// verification reads the store again.
/// </summary>
/// <remarks>
/// A fill (store read, then remember) can race with a change: the fill may read the token just before
/// it is cancelled and remember it just after the cancel made memory forget it. Each fill therefore
/// takes the generation of the hash's stripe before reading, and <see cref="Remember"/> drops what it
/// read if any forget touched that stripe meanwhile. Forgetting bumps the generation before it removes
/// (under the table's lock, which Remember holds while it checks and writes), so one of the two always
/// sees the other. Tokens live in a dense <see cref="TokenTable"/> (ADR 0007, amendment).
/// </remarks>
public sealed class KnownTokens : ITokenChangeListener
{
    private readonly VerificationOptions _options;
    private readonly TokenTable _tokens;
    private readonly ConcurrentDictionary<SecretHash, long> _unknownUntil = new();
    private readonly long _trustWindow;
    private readonly long _graceWindow;
    private readonly long _unknownTtl;
    private long _syncedAt = long.MinValue;

    /// <summary>
    /// Times passed to and kept by memory are timestamps of <paramref name="time"/> (<see cref="TimeProvider.GetTimestamp"/>),
    /// the one clock of the query side.
    /// </summary>
    public KnownTokens(VerificationOptions options, TimeProvider time)
        : this(options, time, TokenTable.DefaultEntryChunkBits, TokenTable.DefaultNameChunkBits)
    {
    }

    /// <summary>With small chunks, so tests can cross chunk boundaries with a handful of tokens.</summary>
    internal KnownTokens(VerificationOptions options, TimeProvider time, int entryChunkBits, int nameChunkBits)
    {
        _options = options;
        _tokens = new TokenTable(entryChunkBits, nameChunkBits);
        _trustWindow = time.TimestampSpan(options.TrustWindow);
        _graceWindow = time.TimestampSpan(options.TrustWindow + options.OfflineGrace);
        _unknownTtl = time.TimestampSpan(options.UnknownTtl);
    }

    internal TokenTable Table => _tokens;

    public int Count => _tokens.Count;

    public int UnknownCount => _unknownUntil.Count;

    /// <summary>When the change feed was last read successfully (a timestamp of the clock), or null before the first read.</summary>
    public long? SyncedAt => Volatile.Read(ref _syncedAt) is var at && at == long.MinValue ? null : at;

    /// <summary>True while memory reflects every change committed up to <see cref="VerificationOptions.TrustWindow"/> ago.</summary>
    public bool IsTrusted(long now) => SyncedWithin(now, _trustWindow);

    /// <summary>True while a store outage may still be bridged for a token remembered as usable.</summary>
    public bool IsWithinGrace(long now) => SyncedWithin(now, _graceWindow);

    private bool SyncedWithin(long now, long window)
    {
        var synced = Volatile.Read(ref _syncedAt);
        return synced != long.MinValue && now - synced <= window;
    }

    /// <summary>Records that every change committed before timestamp <paramref name="at"/> has been applied.</summary>
    public void MarkSynced(long at) => Volatile.Write(ref _syncedAt, at);

    /// <summary>A consistent copy of the token with this hash; false when it is not remembered.</summary>
    public bool TryGet(in SecretHash hash, out KnownToken token) => _tokens.TryGet(hash, out token);

    public bool IsKnownUnknown(in SecretHash hash, long now) =>
        _unknownUntil.TryGetValue(hash, out var until) && now < until;

    /// <summary>Taken before a fill reads the store; passed back to <see cref="Remember"/>.</summary>
    public long GenerationOf(in SecretHash hash) => _tokens.GenerationOf(hash);

    /// <summary>
    /// Remembers what a fill read, unless a change to the same stripe happened since <paramref name="generation"/>.
    /// Returns the token as remembered (its workload label shared with the other tokens of that workload),
    /// or <paramref name="token"/> unchanged when it was not kept; either may answer the verification that read it.
    /// </summary>
    public KnownToken Remember(in SecretHash hash, KnownToken token, long generation) => _tokens.Remember(hash, token, generation);

    /// <summary>
    /// Remembers that the store does not know <paramref name="hash"/>, for between three quarters of
    /// <see cref="VerificationOptions.UnknownTtl"/> and all of it, at random: hashes first presented together
    /// (a flood, a misconfigured fleet) then expire spread over a quarter of the TTL instead of all reaching
    /// the store in the same instant (measured: p99 up to 74 ms on PostgreSQL with 1,000 of them).
    /// </summary>
    public void RememberUnknown(in SecretHash hash, long generation, long now)
    {
        if (_unknownUntil.Count >= _options.MaxUnknown)
        {
            return;
        }
        var ttl = _unknownTtl;
        var until = now + ttl - Random.Shared.NextInt64((ttl / 4) + 1);
        _unknownUntil[hash] = until;
        if (GenerationOf(hash) != generation)
        {
            _unknownUntil.TryRemove(KeyValuePair.Create(hash, until));
        }
    }

    /// <summary>The token with this hash changed (or appeared, or is gone): the next verification asks the store.</summary>
    public void Forget(in SecretHash hash)
    {
        _tokens.Forget(hash);
        _unknownUntil.TryRemove(hash, out _);
    }

    /// <summary>
    /// Memory can no longer show it saw every change (a gap in the change feed): forget every token and every
    /// unknown hash, so each is read from the store again.
    /// </summary>
    public void ForgetAll()
    {
        _tokens.ForgetAll();
        _unknownUntil.Clear();
    }

    /// <summary>
    /// Remembers a token read again because of its age; forgets it when what was read cannot be kept (a change to
    /// its stripe since <paramref name="generation"/>), so nothing older than an epoch stays.
    /// </summary>
    public void RememberAgain(in SecretHash hash, KnownToken token, long generation)
    {
        if (_tokens.Remember(hash, token, generation).Index < 0)
        {
            Forget(hash);
        }
    }

    /// <summary>Starts a new age epoch; returns the hashes of tokens remembered for longer than an epoch, to be read again.</summary>
    public List<SecretHash> TurnEpoch() => _tokens.TurnEpoch();

    /// <summary>A workload was renamed or deleted: forget every token bound to it.</summary>
    public void ForgetWorkload(string workloadId) => _tokens.ForgetWorkload(workloadId);

    void ITokenChangeListener.TokenChanged(in SecretHash hash) => Forget(hash);

    void ITokenChangeListener.WorkloadChanged(string workloadId) => ForgetWorkload(workloadId);

    /// <summary>Counts one use of a usable token; it reaches the store with the next flush, even if the token is forgotten first.</summary>
    public void RecordUse(in KnownToken token, long nowMs) => _tokens.RecordUse(token, nowMs);

    /// <summary>Takes every use counted so far, one entry per token.</summary>
    public List<TokenUsage> TakeUsage() => _tokens.TakeUsage();

    /// <summary>Gives back uses whose flush failed, so the next flush writes them.</summary>
    public void ReturnUsage(IEnumerable<TokenUsage> taken) => _tokens.ReturnUsage(taken);

    /// <summary>Drops unknown hashes whose time is up.</summary>
    public void SweepUnknown(long now)
    {
        foreach (var (hash, until) in _unknownUntil)
        {
            if (now >= until)
            {
                _unknownUntil.TryRemove(KeyValuePair.Create(hash, until));
            }
        }
    }
}
