using System.Buffers;
using System.Text.Unicode;

namespace Tessera.Core.Verification.LockFree;

/// <summary>
/// Token names as UTF-8 in shared byte chunks: a name is a length (one or two bytes) followed by its
/// bytes, addressed by one <c>int</c> (chunk index and position). Changed only under the
/// <see cref="TokenTable"/>'s lock; read without one.
/// </summary>
/// <remarks>
/// A chunk's bytes never change once written, so a snapshot that holds a chunk can decode its name at
/// any later time, even after the token was forgotten. Forgotten names leave dead bytes behind; when
/// they outweigh the live ones the table moves the live names out of mostly-dead chunks
/// (<see cref="TokenTable"/>), and only after every entry points elsewhere is such a chunk dropped and
/// its index given to a new chunk.
/// </remarks>
internal sealed class NameArena
{
    /// <summary>The longest name kept, in UTF-8 bytes (a two-byte length). Names are at most 100 characters.</summary>
    public const int MaxNameBytes = (1 << 14) - 1;

    private readonly int _chunkBits;
    private readonly int _chunkSize;
    private byte[]?[] _chunks = new byte[]?[4];
    private int[] _used = new int[4];
    private int[] _live = new int[4];
    private readonly Stack<int> _freeIndices = new();
    private int _chunkCount;
    private int _current = -1;

    public NameArena(int chunkBits)
    {
        // Positions are kept in the low bits of an int, chunk indices above them.
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkBits, 6);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkBits, 24);
        _chunkBits = chunkBits;
        _chunkSize = 1 << chunkBits;
    }

    /// <summary>Bytes of names still referenced.</summary>
    public long LiveBytes { get; private set; }

    /// <summary>Bytes written into chunks still held (live and dead).</summary>
    public long WrittenBytes { get; private set; }

    /// <summary>Chunks held.</summary>
    public int Chunks { get; private set; }

    /// <summary>Bytes held in chunks.</summary>
    public long HeldBytes => (long)Chunks * _chunkSize;

    /// <summary>Writes <paramref name="name"/>; -1 when it cannot be kept (too long, unpaired surrogates, or the arena is full).</summary>
    public int Add(ReadOnlySpan<char> name)
    {
        Span<byte> utf8 = stackalloc byte[256];
        byte[]? rented = null;
        if (name.Length * 3 > utf8.Length)
        {
            if (name.Length * 3 > MaxNameBytes + 3)
            {
                return -1;
            }
            utf8 = rented = ArrayPool<byte>.Shared.Rent(name.Length * 3);
        }
        try
        {
            // Exact round trip or nothing: a name that is not valid UTF-16 is not remembered.
            if (Utf8.FromUtf16(name, utf8, out _, out var length, replaceInvalidSequences: false) != OperationStatus.Done ||
                length > MaxNameBytes)
            {
                return -1;
            }
            return Add(utf8[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Copies a name already in the arena (to move it out of a chunk about to be dropped).</summary>
    public int Copy(int offset) => Add(BytesOf(Chunk(offset)!, Position(offset)));

    private int Add(ReadOnlySpan<byte> utf8)
    {
        var size = utf8.Length + (utf8.Length < 0x80 ? 1 : 2);
        if (size > _chunkSize)
        {
            return -1;
        }
        if (_current < 0 || _used[_current] + size > _chunkSize)
        {
            if (!NewChunk())
            {
                return -1;
            }
        }
        var chunk = _chunks[_current]!;
        var position = _used[_current];
        if (utf8.Length < 0x80)
        {
            chunk[position] = (byte)utf8.Length;
        }
        else
        {
            chunk[position] = (byte)(0x80 | (utf8.Length & 0x7F));
            chunk[position + 1] = (byte)(utf8.Length >> 7);
        }
        utf8.CopyTo(chunk.AsSpan(position + size - utf8.Length));
        _used[_current] += size;
        _live[_current] += size;
        LiveBytes += size;
        WrittenBytes += size;
        return (_current << _chunkBits) | position;
    }

    private bool NewChunk()
    {
        int index;
        if (_freeIndices.Count > 0)
        {
            index = _freeIndices.Pop();
        }
        else
        {
            if (_chunkCount >= 1 << (31 - _chunkBits))
            {
                return false;
            }
            index = _chunkCount++;
            if (index == _chunks.Length)
            {
                // Readers may still hold the old array: every chunk it holds stays valid there.
                var grown = new byte[]?[_chunks.Length * 2];
                _chunks.CopyTo(grown, 0);
                Array.Resize(ref _used, grown.Length);
                Array.Resize(ref _live, grown.Length);
                Volatile.Write(ref _chunks, grown);
            }
        }
        _used[index] = 0;
        _live[index] = 0;
        Volatile.Write(ref _chunks[index], new byte[_chunkSize]);
        _current = index;
        Chunks++;
        return true;
    }

    /// <summary>The name at <paramref name="offset"/> is no longer referenced.</summary>
    public void Release(int offset)
    {
        var chunkIndex = offset >> _chunkBits;
        var size = SizeAt(_chunks[chunkIndex]!, Position(offset));
        _live[chunkIndex] -= size;
        LiveBytes -= size;
    }

    /// <summary>True when dead bytes outweigh live ones (and are more than a few chunks): time to move names.</summary>
    public bool WantsCompaction => WrittenBytes - LiveBytes > Math.Max(LiveBytes, 4L * _chunkSize);

    /// <summary>
    /// Chunks less than half alive, other than the one being filled: their live names should move.
    /// <paramref name="anyLive"/> says whether any of them still holds a live name (else they can go at once).
    /// </summary>
    public bool[] SparseChunks(out bool anyLive)
    {
        var sparse = new bool[_chunkCount];
        anyLive = false;
        for (var i = 0; i < _chunkCount; i++)
        {
            sparse[i] = i != _current && _chunks[i] is not null && _live[i] * 2 < _used[i];
            anyLive |= sparse[i] && _live[i] > 0;
        }
        return sparse;
    }

    public int ChunkIndex(int offset) => offset >> _chunkBits;

    /// <summary>Drops the chunks marked, once no entry points into them any more.</summary>
    public void Drop(bool[] chunks)
    {
        for (var i = 0; i < chunks.Length; i++)
        {
            if (chunks[i])
            {
                if (i == _current)
                {
                    _current = -1;
                }
                WrittenBytes -= _used[i];
                LiveBytes -= _live[i];
                _used[i] = 0;
                _live[i] = 0;
                Volatile.Write(ref _chunks[i], null);
                _freeIndices.Push(i);
                Chunks--;
            }
        }
    }

    /// <summary>The chunk holding <paramref name="offset"/>, read without the lock; null if it was dropped.</summary>
    public byte[]? Chunk(int offset)
    {
        var chunks = Volatile.Read(ref _chunks);
        var index = offset >> _chunkBits;
        return (uint)index < (uint)chunks.Length ? Volatile.Read(ref chunks[index]) : null;
    }

    public int Position(int offset) => offset & (_chunkSize - 1);

    /// <summary>Decodes the name written at <paramref name="position"/> of <paramref name="chunk"/>.</summary>
    public static string Read(byte[] chunk, int position) => System.Text.Encoding.UTF8.GetString(BytesOf(chunk, position));

    private static ReadOnlySpan<byte> BytesOf(byte[] chunk, int position)
    {
        var first = chunk[position];
        return first < 0x80
            ? chunk.AsSpan(position + 1, first)
            : chunk.AsSpan(position + 2, (first & 0x7F) | (chunk[position + 1] << 7));
    }

    private static int SizeAt(byte[] chunk, int position)
    {
        var length = BytesOf(chunk, position).Length;
        return length + (length < 0x80 ? 1 : 2);
    }
}
