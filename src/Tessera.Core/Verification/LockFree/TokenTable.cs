using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Tessera.Core.Secrets;

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
internal sealed partial class TokenTable
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
}
