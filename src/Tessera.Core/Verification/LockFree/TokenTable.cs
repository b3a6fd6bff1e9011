using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Tessera.Core.Secrets;
using Tessera.Core.Storage;

namespace Tessera.Core.Verification.LockFree;

/// <summary>
/// Remembered tokens as a dense table: an open-addressing index (<c>uint</c> slots, linear probing) over
/// <see cref="TokenEntry"/> structs kept in fixed-size chunks, names in a <see cref="NameArena"/>,
/// workloads in <see cref="WorkloadLabels"/>. About 100 bytes per token, and nothing the garbage
/// collector has to trace per token.
/// </summary>
/// <remarks>
/// <para>Readers take no lock. A lookup copies an entry between two reads of its sequence
/// (<see cref="TokenEntry.Word"/>) and compares the full 32-byte key of the copy; a copy taken while a
/// writer changed the entry is thrown away. So a reader may miss an entry while it changes (it then reads
/// the store, which is always right) but never returns a torn entry or another token's.</para>
/// <para>Writers (remember, forget, growth, name compaction) hold one lock. Entries are never moved:
/// growth adds a chunk, and only the index (four bytes per slot) is rebuilt, into a new array, while
/// readers finish on the old one. A forgotten entry's slot becomes a tombstone and the entry goes to a
/// free list for the next token; the index is rebuilt when tombstones pile up and shrunk when most
/// tokens are gone. Entry chunks are kept at their peak.</para>
/// <para>Uses are counted on the entry by a compare-and-swap that requires the sequence the reader
/// copied; one that fails (the entry changed meanwhile) is kept on a side queue instead, as are the uses
/// an entry still held when it was forgotten and uses a failed flush gave back. So no use is lost and
/// none is counted for another token.</para>
/// </remarks>
internal sealed class TokenTable
{
    public const int DefaultEntryChunkBits = 14;
    public const int DefaultNameChunkBits = 16;

    /// <summary>Fills race with forgets per stripe of hashes (see <see cref="KnownTokens"/>).</summary>
    private const int Stripes = 1024;

    // A slot is 0 (empty), Tombstone, or a 6-bit tag from the hash above the entry's index + 1, so most
    // probes that are not the key are passed over without touching an entry.
    private const int IndexBits = 26;
    private const uint IndexMask = (1u << IndexBits) - 1;
    private const uint Tombstone = IndexMask;
    private const int MinSlots = 16;

    /// <summary>The most tokens remembered at once (67 million, some 6.7 GB); past it, verification reads the store.</summary>
    public const int MaxEntries = (int)IndexMask - 1;

    private readonly Lock _lock = new();
    private readonly Lock _usageLock = new();
    private readonly int _chunkBits;
    private readonly int _chunkMask;
    private readonly long[] _generations = new long[Stripes];
    private readonly NameArena _names;
    private readonly WorkloadLabels _labels = new();
    private readonly Stack<int> _freeEntries = new();
    private readonly ConcurrentQueue<int> _used = new();
    private readonly ConcurrentQueue<PendingUse> _loose = new();
    private uint[] _slots = new uint[MinSlots];
    private TokenEntry[][] _chunks = [];
    private int _fresh;
    private int _live;
    private int _tombstones;
    private bool _epoch;

    public TokenTable(int entryChunkBits = DefaultEntryChunkBits, int nameChunkBits = DefaultNameChunkBits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(entryChunkBits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(entryChunkBits, 20);
        _chunkBits = entryChunkBits;
        _chunkMask = (1 << entryChunkBits) - 1;
        _names = new NameArena(nameChunkBits);
    }

    public int Count => Volatile.Read(ref _live);

    // For tests and the memory report.
    internal int EntryChunks => Volatile.Read(ref _chunks).Length;
    internal int EntriesEverUsed => Volatile.Read(ref _fresh);
    internal int SlotCount => Volatile.Read(ref _slots).Length;
    internal int NameChunks { get { lock (_lock) { return _names.Chunks; } } }
    internal long NameBytesHeld { get { lock (_lock) { return _names.HeldBytes; } } }
    internal int LabelCount { get { lock (_lock) { return _labels.Count; } } }

    public long GenerationOf(in SecretHash hash) => Volatile.Read(ref _generations[Stripe(hash)]);

    /// <summary>The token with this hash, copied consistently; false when it is not remembered (or is changing right now).</summary>
    public bool TryGet(in SecretHash hash, out KnownToken token)
    {
        var slots = Volatile.Read(ref _slots);
        var mask = slots.Length - 1;
        var tag = Tag(hash);
        var position = Home(hash, mask);
        for (var probes = 0; probes < slots.Length; probes++)
        {
            var slot = Volatile.Read(ref slots[position]);
            if (slot == 0)
            {
                break;
            }
            if (slot >> IndexBits == tag && (slot & IndexMask) != Tombstone && TryCopy((int)(slot & IndexMask) - 1, hash, out token))
            {
                return true;
            }
            position = (position + 1) & mask;
        }
        token = default;
        return false;
    }

    private bool TryCopy(int index, in SecretHash hash, out KnownToken token)
    {
        token = default;
        var chunks = Volatile.Read(ref _chunks);
        if ((uint)(index >> _chunkBits) >= (uint)chunks.Length)
        {
            return false;
        }
        ref var entry = ref chunks[index >> _chunkBits][index & _chunkMask];
        var word = Volatile.Read(ref entry.Word);
        if (TokenEntry.IsWriting(word))
        {
            return false;
        }
        // Every read below is an acquire, so none of them can be reordered after the second read of the word.
        if (Volatile.Read(ref entry.A) != hash.A || Volatile.Read(ref entry.B) != hash.B ||
            Volatile.Read(ref entry.C) != hash.C || Volatile.Read(ref entry.D) != hash.D)
        {
            return false;
        }
        var id0 = Volatile.Read(ref entry.Id0);
        var id1 = Volatile.Read(ref entry.Id1);
        var expiresAtMs = Volatile.Read(ref entry.ExpiresAtMs);
        var name = Volatile.Read(ref entry.Name);
        var workload = Volatile.Read(ref entry.Workload);
        var labelIndex = workload & TokenEntry.LabelMask;
        var label = labelIndex == 0 ? null : _labels.Get(labelIndex - 1);
        var nameChunk = _names.Chunk(name);
        if (TokenEntry.SequenceOf(Volatile.Read(ref entry.Word)) != TokenEntry.SequenceOf(word) ||
            nameChunk is null || (labelIndex != 0 && label is null))
        {
            return false;
        }
        token = new KnownToken(Join(id0, id1), expiresAtMs, (workload & TokenEntry.CancelledBit) != 0, label, nameChunk,
            _names.Position(name), index, TokenEntry.SequenceOf(word));
        return true;
    }

    /// <summary>
    /// Remembers <paramref name="token"/> (as read from the store) unless a forget touched its stripe since
    /// <paramref name="generation"/>; returns what was remembered, or <paramref name="token"/> itself when it was not.
    /// </summary>
    public KnownToken Remember(in SecretHash hash, in KnownToken token, long generation)
    {
        lock (_lock)
        {
            // Forget bumps the generation before it takes the lock, so either this sees the bump or the
            // forget, coming after, removes what is written here.
            if (GenerationOf(hash) != generation || token.NameString is not { } nameString)
            {
                return token;
            }
            var name = _names.Add(nameString);
            if (name < 0)
            {
                return token;
            }
            var labelIndex = token.Workload is null ? 0 : _labels.Acquire(token.Workload) + 1;
            var index = Find(hash, out var position);
            uint sequence;
            if (index >= 0)
            {
                // Two fills of one token: keep the later one, and the uses already counted.
                ref var entry = ref EntryAt(index);
                var begin = BeginWrite(ref entry, keepUses: true);
                Release(ref entry);
                Fill(ref entry, hash, token, name, labelIndex);
                sequence = TokenEntry.SequenceOf(begin) + 2;
                Volatile.Write(ref entry.Word, TokenEntry.Compose(sequence, TokenEntry.UsesOf(begin)));
            }
            else
            {
                if ((_live + _tombstones + 1) * 4L > _slots.Length * 3L)
                {
                    Rebuild(SlotsFor(_live + 1));
                    Find(hash, out position);
                }
                index = AllocateEntry();
                if (index < 0)
                {
                    _names.Release(name);
                    if (labelIndex != 0)
                    {
                        _labels.Release(labelIndex - 1);
                    }
                    return token;
                }
                ref var entry = ref EntryAt(index);
                var begin = BeginWrite(ref entry, keepUses: false);
                Fill(ref entry, hash, token, name, labelIndex);
                entry.LastUsedMs = 0;
                sequence = TokenEntry.SequenceOf(begin) + 2;
                Volatile.Write(ref entry.Word, TokenEntry.Compose(sequence, 0));
                if (_slots[position] == Tombstone)
                {
                    _tombstones--;
                }
                Volatile.Write(ref _slots[position], (Tag(hash) << IndexBits) | (uint)(index + 1));
                Volatile.Write(ref _live, _live + 1);
            }
            return new KnownToken(token.IdBytes, token.ExpiresAtMs, token.Cancelled, labelIndex == 0 ? null : _labels.Get(labelIndex - 1),
                _names.Chunk(name)!, _names.Position(name), index, sequence);
        }
    }

    private void Fill(ref TokenEntry entry, in SecretHash hash, in KnownToken token, int name, int labelIndex)
    {
        entry.A = hash.A;
        entry.B = hash.B;
        entry.C = hash.C;
        entry.D = hash.D;
        (entry.Id0, entry.Id1) = Split(token.IdBytes);
        entry.ExpiresAtMs = token.ExpiresAtMs;
        entry.Name = name;
        entry.Workload = labelIndex | (token.Cancelled ? TokenEntry.CancelledBit : 0) | (_epoch ? TokenEntry.EpochBit : 0);
    }

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

    /// <summary>Makes the entry's sequence odd, so readers skip it and uses stop landing on it; returns the word before.</summary>
    private static long BeginWrite(ref TokenEntry entry, bool keepUses)
    {
        var word = Volatile.Read(ref entry.Word);
        while (true)
        {
            var writing = TokenEntry.Compose(TokenEntry.SequenceOf(word) + 1, keepUses ? TokenEntry.UsesOf(word) : 0);
            // A full fence: the odd sequence is visible before any field changes.
            var seen = Interlocked.CompareExchange(ref entry.Word, writing, word);
            if (seen == word)
            {
                return word;
            }
            word = seen;
        }
    }

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

    private static int Stripe(in SecretHash hash) => (int)(hash.D & (Stripes - 1));

    private static int Home(in SecretHash hash, int mask) => (int)(hash.B & (uint)mask);

    private static uint Tag(in SecretHash hash) => Tag(hash.C);

    private static uint Tag(ulong c) => (uint)(c >> (64 - (32 - IndexBits)));

    private static (ulong, ulong) Split(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        MemoryMarshal.Write(bytes, in id);
        return (MemoryMarshal.Read<ulong>(bytes), MemoryMarshal.Read<ulong>(bytes[8..]));
    }

    private static Guid Join(ulong id0, ulong id1)
    {
        Span<byte> bytes = stackalloc byte[16];
        MemoryMarshal.Write(bytes, in id0);
        MemoryMarshal.Write(bytes[8..], in id1);
        return MemoryMarshal.Read<Guid>(bytes);
    }

    private readonly record struct PendingUse(Guid Id, long Uses, long LastUsedMs);
}
