using System.Runtime.InteropServices;
using Tessera.Core.Storage;

namespace Tessera.Core.Verification.LockFree;

/// <summary>Uses counted on the entries (or on the side queue), taken by the usage flusher and given back when its flush fails.</summary>
internal sealed partial class TokenTable
{
    /// <summary>Counts one use on the entry <paramref name="token"/> was copied from, or on the side queue if that entry changed since.</summary>
    public void RecordUse(in KnownToken token, long nowMs)
    {
        if (token.Index >= 0)
        {
            ref var entry = ref EntryAt(token.Index);
            var word = Volatile.Read(ref entry.Word);
            if (TokenEntry.SequenceOf(word) == token.Sequence)
            {
                // Written before the count, so whoever takes the count also sees a time at least this recent.
                Volatile.Write(ref entry.LastUsedMs, nowMs);
                while (TokenEntry.SequenceOf(word) == token.Sequence && TokenEntry.UsesOf(word) != uint.MaxValue)
                {
                    var seen = Interlocked.CompareExchange(ref entry.Word, word + 1, word);
                    if (seen == word)
                    {
                        if (TokenEntry.UsesOf(word) == 0)
                        {
                            _used.Enqueue(token.Index);
                        }
                        return;
                    }
                    word = seen;
                }
            }
        }
        _loose.Enqueue(new PendingUse(token.IdBytes, 1, nowMs));
    }

    /// <summary>Takes every use counted so far, one entry per token.</summary>
    public List<TokenUsage> TakeUsage()
    {
        lock (_usageLock)
        {
            // Side-queue uses are few (forgets, stale copies, failed flushes): merged by id. Entries need no
            // merging: a token's pending uses are on one entry at a time (a forget moves them to the side queue).
            var loose = new Dictionary<Guid, (long Uses, long LastUsedMs)>();
            while (_loose.TryDequeue(out var use))
            {
                ref var sum = ref CollectionsMarshal.GetValueRefOrAddDefault(loose, use.Id, out _);
                sum = (sum.Uses + use.Uses, Math.Max(sum.LastUsedMs, use.LastUsedMs));
            }
            var taken = new List<TokenUsage>(_used.Count + loose.Count);
            while (_used.TryDequeue(out var index))
            {
                if (TryTake(index, out var id, out var uses, out var lastUsedMs))
                {
                    if (loose.Remove(id, out var more))
                    {
                        uses += more.Uses;
                        lastUsedMs = Math.Max(lastUsedMs, more.LastUsedMs);
                    }
                    taken.Add(Usage(id, uses, lastUsedMs));
                }
            }
            foreach (var (id, (uses, lastUsedMs)) in loose)
            {
                taken.Add(Usage(id, uses, lastUsedMs));
            }
            return taken;
        }
    }

    /// <summary>
    /// Takes the uses pending on an entry. The index may have been given to another token since it was
    /// queued: whatever it holds now is that token's, read together with its id under one compare-and-swap.
    /// </summary>
    private bool TryTake(int index, out Guid id, out long uses, out long lastUsedMs)
    {
        ref var entry = ref EntryAt(index);
        var spin = new SpinWait();
        while (true)
        {
            var word = Volatile.Read(ref entry.Word);
            if (TokenEntry.IsWriting(word))
            {
                // A writer holds the entry for a few stores (it never waits on this lock meanwhile).
                spin.SpinOnce();
                continue;
            }
            if (TokenEntry.UsesOf(word) == 0)
            {
                (id, uses, lastUsedMs) = (default, 0, 0);
                return false;
            }
            id = Join(Volatile.Read(ref entry.Id0), Volatile.Read(ref entry.Id1));
            lastUsedMs = Volatile.Read(ref entry.LastUsedMs);
            if (Interlocked.CompareExchange(ref entry.Word, TokenEntry.Compose(TokenEntry.SequenceOf(word), 0), word) == word)
            {
                uses = TokenEntry.UsesOf(word);
                return true;
            }
        }
    }

    private static TokenUsage Usage(Guid id, long uses, long lastUsedMs) =>
        new(KnownToken.FormatId(id), uses, DateTimeOffset.FromUnixTimeMilliseconds(lastUsedMs));

    /// <summary>Gives back uses whose flush failed, so the next flush writes them.</summary>
    public void ReturnUsage(IEnumerable<TokenUsage> taken)
    {
        foreach (var usage in taken)
        {
            _loose.Enqueue(new PendingUse(KnownToken.ParseId(usage.TokenId), usage.Uses, usage.LastUsedAt.ToUnixTimeMilliseconds()));
        }
    }

    private readonly record struct PendingUse(Guid Id, long Uses, long LastUsedMs);
}
