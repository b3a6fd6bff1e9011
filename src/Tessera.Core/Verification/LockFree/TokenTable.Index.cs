using Tessera.Core.Secrets;

namespace Tessera.Core.Verification.LockFree;

/// <summary>The open-addressing index over the entries: probing, rebuilding (growth, shrinking, clearing tombstones), entry allocation, and the hash bits each use.</summary>
internal sealed partial class TokenTable
{
    /// <summary>Under the lock: the entry holding <paramref name="hash"/> (or -1) and its slot, or the slot to insert it at.</summary>
    private int Find(in SecretHash hash, out int position)
    {
        var slots = _slots;
        var mask = slots.Length - 1;
        var tag = Tag(hash);
        var at = Home(hash, mask);
        var insertAt = -1;
        while (true)
        {
            var slot = slots[at];
            if (slot == 0)
            {
                position = insertAt >= 0 ? insertAt : at;
                return -1;
            }
            if (slot == Tombstone)
            {
                if (insertAt < 0)
                {
                    insertAt = at;
                }
            }
            else if (slot >> IndexBits == tag)
            {
                var index = (int)(slot & IndexMask) - 1;
                ref var entry = ref EntryAt(index);
                if (entry.A == hash.A && entry.B == hash.B && entry.C == hash.C && entry.D == hash.D)
                {
                    position = at;
                    return index;
                }
            }
            at = (at + 1) & mask;
        }
    }

    /// <summary>A new index of <paramref name="size"/> slots, published whole: readers on the old one finish there.</summary>
    private void Rebuild(int size)
    {
        var slots = new uint[size];
        var mask = size - 1;
        if (_live * 4L > _fresh)
        {
            // Mostly live entries: walk them in memory order rather than jumping to each from its slot.
            for (var index = 0; index < _fresh; index++)
            {
                ref var entry = ref EntryAt(index);
                if (!entry.IsFree)
                {
                    Place(slots, mask, entry.B, (Tag(entry.C) << IndexBits) | (uint)(index + 1));
                }
            }
        }
        else
        {
            foreach (var slot in _slots)
            {
                if (slot != 0 && slot != Tombstone)
                {
                    Place(slots, mask, EntryAt((int)(slot & IndexMask) - 1).B, slot);
                }
            }
        }
        Volatile.Write(ref _slots, slots);
        _tombstones = 0;
    }

    private static void Place(uint[] slots, int mask, ulong b, uint slot)
    {
        var at = (int)(b & (uint)mask);
        while (slots[at] != 0)
        {
            at = (at + 1) & mask;
        }
        slots[at] = slot;
    }

    /// <summary>At most half full after growing, so probes stay short; at least <see cref="MinSlots"/>.</summary>
    private static int SlotsFor(int live) => (int)Math.Max(MinSlots, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, live) * 2));

    private int AllocateEntry()
    {
        if (_freeEntries.TryPop(out var index))
        {
            return index;
        }
        if (_fresh >= MaxEntries)
        {
            return -1;
        }
        index = _fresh;
        if (index >> _chunkBits == _chunks.Length)
        {
            // One more chunk; the entries already stored stay where they are.
            var grown = new TokenEntry[_chunks.Length + 1][];
            _chunks.CopyTo(grown, 0);
            grown[^1] = new TokenEntry[_chunkMask + 1];
            Volatile.Write(ref _chunks, grown);
        }
        Volatile.Write(ref _fresh, index + 1);
        return index;
    }

    private ref TokenEntry EntryAt(int index) => ref Volatile.Read(ref _chunks)[index >> _chunkBits][index & _chunkMask];

    private static int Stripe(in SecretHash hash) => (int)(hash.D & (Stripes - 1));

    private static int Home(in SecretHash hash, int mask) => (int)(hash.B & (uint)mask);

    private static uint Tag(in SecretHash hash) => Tag(hash.C);

    private static uint Tag(ulong c) => (uint)(c >> (64 - (32 - IndexBits)));
}
