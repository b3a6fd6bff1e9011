using System.Collections.Concurrent;
using Tessera.Core.Secrets;
using Tessera.Core.Storage;

namespace Tessera.Core.Verification;

/// <summary>
/// The query side's memory: tokens by secret hash, hashes the store does not know, and uses not yet
/// flushed. Whatever changes a token makes memory forget it (<see cref="Forget"/>); the next
/// verification reads the store again.
/// </summary>
/// <remarks>
/// A fill (store read, then remember) can race with a change: the fill may read the token just before
/// it is cancelled and remember it just after the cancel made memory forget it. Each fill therefore
/// takes the generation of the hash's stripe before reading and, after remembering, takes the entry
/// back out if any forget touched that stripe meanwhile. Forgetting bumps the generation first, so one
/// of the two always sees the other.
/// </remarks>
public sealed class KnownTokens(VerificationOptions options)
{
    private const int Stripes = 1024;

    private readonly ConcurrentDictionary<SecretHash, KnownToken> _tokens = new();
    private readonly ConcurrentDictionary<SecretHash, long> _unknownUntil = new();
    private readonly ConcurrentDictionary<string, WorkloadLabel> _workloads = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<KnownToken> _used = new();
    private readonly long[] _generations = new long[Stripes];
    private long _syncedAtTick = long.MinValue;

    public int Count => _tokens.Count;

    public int UnknownCount => _unknownUntil.Count;

    /// <summary>When the change feed was last read successfully (monotonic milliseconds), or null before the first read.</summary>
    public long? SyncedAtTick => Volatile.Read(ref _syncedAtTick) is var tick && tick == long.MinValue ? null : tick;

    /// <summary>True while memory reflects every change committed up to <see cref="VerificationOptions.TrustWindow"/> ago.</summary>
    public bool IsTrusted(long nowTick) => SyncedWithin(nowTick, options.TrustWindow);

    /// <summary>True while a store outage may still be bridged for a token remembered as usable.</summary>
    public bool IsWithinGrace(long nowTick) => SyncedWithin(nowTick, options.TrustWindow + options.OfflineGrace);

    private bool SyncedWithin(long nowTick, TimeSpan window)
    {
        var synced = Volatile.Read(ref _syncedAtTick);
        return synced != long.MinValue && nowTick - synced <= (long)window.TotalMilliseconds;
    }

    /// <summary>Records that every change committed before <paramref name="tick"/> has been applied.</summary>
    public void MarkSynced(long tick) => Volatile.Write(ref _syncedAtTick, tick);

    public bool TryGet(in SecretHash hash, out KnownToken? token) => _tokens.TryGetValue(hash, out token);

    public bool IsKnownUnknown(in SecretHash hash, long nowTick) =>
        _unknownUntil.TryGetValue(hash, out var until) && nowTick < until;

    /// <summary>Taken before a fill reads the store; passed back to <see cref="Remember"/>.</summary>
    public long GenerationOf(in SecretHash hash) => Volatile.Read(ref _generations[Stripe(hash)]);

    /// <summary>Remembers what a fill read, unless a change to the same stripe happened since <paramref name="generation"/>.</summary>
    public void Remember(in SecretHash hash, KnownToken token, long generation)
    {
        _tokens[hash] = token;
        if (GenerationOf(hash) != generation)
        {
            _tokens.TryRemove(KeyValuePair.Create(hash, token));
        }
    }

    /// <summary>Remembers that the store does not know <paramref name="hash"/>, for <see cref="VerificationOptions.UnknownTtl"/>.</summary>
    public void RememberUnknown(in SecretHash hash, long generation, long nowTick)
    {
        if (_unknownUntil.Count >= options.MaxUnknown)
        {
            return;
        }
        var until = nowTick + (long)options.UnknownTtl.TotalMilliseconds;
        _unknownUntil[hash] = until;
        if (GenerationOf(hash) != generation)
        {
            _unknownUntil.TryRemove(KeyValuePair.Create(hash, until));
        }
    }

    /// <summary>The shared label of a workload, so a million tokens of one workload hold one copy of its name.</summary>
    public WorkloadLabel LabelFor(string workloadId, string workloadName)
    {
        if (_workloads.TryGetValue(workloadId, out var label) && label.Name == workloadName)
        {
            return label;
        }
        label = new WorkloadLabel(workloadId, workloadName);
        _workloads[workloadId] = label;
        return label;
    }

    /// <summary>The token with this hash changed (or appeared, or is gone): the next verification asks the store.</summary>
    public void Forget(in SecretHash hash)
    {
        Interlocked.Increment(ref _generations[Stripe(hash)]);
        _tokens.TryRemove(hash, out _);
        _unknownUntil.TryRemove(hash, out _);
    }

    /// <summary>A workload was renamed or deleted: forget every token bound to it.</summary>
    public void ForgetWorkload(string workloadId)
    {
        _workloads.TryRemove(workloadId, out _);
        foreach (var (hash, token) in _tokens)
        {
            if (token.Workload?.Id == workloadId)
            {
                Forget(hash);
            }
        }
    }

    /// <summary>Counts one use of a usable token; it reaches the store with the next flush.</summary>
    public void RecordUse(KnownToken token, long nowMs)
    {
        if (token.RecordUse(nowMs))
        {
            _used.Enqueue(token);
        }
    }

    /// <summary>Takes every use counted so far, one entry per token.</summary>
    public List<(KnownToken Token, TokenUsage Usage)> TakeUsage()
    {
        var taken = new List<(KnownToken, TokenUsage)>();
        while (_used.TryDequeue(out var token))
        {
            var uses = token.TakeUses(out var lastUsedMs);
            if (uses > 0)
            {
                taken.Add((token, new TokenUsage(token.Id, uses, DateTimeOffset.FromUnixTimeMilliseconds(lastUsedMs))));
            }
        }
        return taken;
    }

    /// <summary>Gives back uses whose flush failed, so the next flush writes them.</summary>
    public void ReturnUsage(IEnumerable<(KnownToken Token, TokenUsage Usage)> taken)
    {
        foreach (var (token, usage) in taken)
        {
            if (token.ReturnUses(usage.Uses))
            {
                _used.Enqueue(token);
            }
        }
    }

    /// <summary>Drops unknown hashes whose time is up.</summary>
    public void SweepUnknown(long nowTick)
    {
        foreach (var (hash, until) in _unknownUntil)
        {
            if (nowTick >= until)
            {
                _unknownUntil.TryRemove(KeyValuePair.Create(hash, until));
            }
        }
    }

    private static int Stripe(in SecretHash hash) => (int)(hash.D & (Stripes - 1));
}
