using Tessera.Core.Secrets;

namespace Tessera.Core.Verification.LockFree;

/// <summary>Forgetting: one token, a workload's, all of them, or those unused for an epoch; then tidying the index and the names.</summary>
internal sealed partial class TokenTable
{
    /// <summary>Forgets the token with this hash, if remembered; first moves its stripe's generation so no fill in flight brings it back.</summary>
    public void Forget(in SecretHash hash)
    {
        Interlocked.Increment(ref _generations[Stripe(hash)]);
        lock (_lock)
        {
            var index = Find(hash, out var position);
            if (index >= 0)
            {
                Remove(index, position);
                Tidy();
            }
        }
    }

    /// <summary>Forgets every token of this workload; every fill in flight is dropped too, since it may carry the old name.</summary>
    public void ForgetWorkload(string workloadId)
    {
        for (var i = 0; i < Stripes; i++)
        {
            Interlocked.Increment(ref _generations[i]);
        }
        lock (_lock)
        {
            var labels = _labels.IndicesOf(workloadId);
            if (labels.Count == 0)
            {
                return;
            }
            for (var index = 0; index < _fresh; index++)
            {
                ref var entry = ref EntryAt(index);
                var labelIndex = entry.Workload & TokenEntry.LabelMask;
                if (!entry.IsFree && labelIndex != 0 && labels.Contains(labelIndex - 1))
                {
                    var hash = new SecretHash(entry.A, entry.B, entry.C, entry.D);
                    Remove(Find(hash, out var position), position);
                }
            }
            Tidy();
        }
    }

    /// <summary>
    /// Forgets every token: memory can no longer show that it saw every change (a gap in the change feed).
    /// Every fill in flight is dropped too, since it may have read the store before the changes it missed.
    /// </summary>
    public void ForgetAll()
    {
        for (var i = 0; i < Stripes; i++)
        {
            Interlocked.Increment(ref _generations[i]);
        }
        lock (_lock)
        {
            for (var index = 0; index < _fresh; index++)
            {
                ref var entry = ref EntryAt(index);
                if (!entry.IsFree)
                {
                    var hash = new SecretHash(entry.A, entry.B, entry.C, entry.D);
                    Remove(Find(hash, out var position), position);
                }
            }
            Tidy();
        }
    }

    /// <summary>
    /// Starts a new age epoch and returns the hashes of the tokens read from the store before the previous one
    /// began: with epochs of half <see cref="VerificationOptions.MaxEntryAge"/>, the entries that are due to be
    /// read again. An entry read again (<see cref="Remember"/>) joins the current epoch.
    /// </summary>
    public List<SecretHash> TurnEpoch()
    {
        lock (_lock)
        {
            _epoch = !_epoch;
            var due = new List<SecretHash>();
            var dueBit = _epoch ? TokenEntry.EpochBit : 0;
            for (var index = 0; index < _fresh; index++)
            {
                ref var entry = ref EntryAt(index);
                if (!entry.IsFree && (entry.Workload & TokenEntry.EpochBit) == dueBit)
                {
                    due.Add(new SecretHash(entry.A, entry.B, entry.C, entry.D));
                }
            }
            return due;
        }
    }

    private void Remove(int index, int position)
    {
        ref var entry = ref EntryAt(index);
        var begin = BeginWrite(ref entry, keepUses: false);
        var uses = TokenEntry.UsesOf(begin);
        var id = Join(entry.Id0, entry.Id1);
        var lastUsedMs = entry.LastUsedMs;
        Release(ref entry);
        entry.A = entry.B = entry.C = entry.D = 0;
        Volatile.Write(ref entry.Word, TokenEntry.Compose(TokenEntry.SequenceOf(begin) + 2, 0));
        Volatile.Write(ref _slots[position], Tombstone);
        _tombstones++;
        Volatile.Write(ref _live, _live - 1);
        _freeEntries.Push(index);
        if (uses > 0)
        {
            // Counted but not yet flushed: they still reach the store.
            _loose.Enqueue(new PendingUse(id, uses, lastUsedMs));
        }
    }

    private void Release(ref TokenEntry entry)
    {
        _names.Release(entry.Name);
        var labelIndex = entry.Workload & TokenEntry.LabelMask;
        if (labelIndex != 0)
        {
            _labels.Release(labelIndex - 1);
        }
    }

    /// <summary>After forgetting: shrink the index when most tokens are gone, move names out of mostly dead chunks.</summary>
    private void Tidy()
    {
        if (_slots.Length > MinSlots && _live * 8L < _slots.Length)
        {
            Rebuild(SlotsFor(_live));
        }
        if (!_names.WantsCompaction)
        {
            return;
        }
        var sparse = _names.SparseChunks(out var sparseWithLiveNames);
        for (var index = 0; sparseWithLiveNames && index < _fresh; index++)
        {
            ref var entry = ref EntryAt(index);
            var chunk = _names.ChunkIndex(entry.Name);
            if (entry.IsFree || chunk >= sparse.Length || !sparse[chunk])
            {
                continue;
            }
            var moved = _names.Copy(entry.Name);
            if (moved < 0)
            {
                sparse[chunk] = false; // the arena is full: this chunk stays
                continue;
            }
            var begin = BeginWrite(ref entry, keepUses: true);
            _names.Release(entry.Name);
            entry.Name = moved;
            Volatile.Write(ref entry.Word, TokenEntry.Compose(TokenEntry.SequenceOf(begin) + 2, TokenEntry.UsesOf(begin)));
        }
        // Only now that no entry points into them may the chunks go (and their indices be reused).
        _names.Drop(sparse);
    }
}
