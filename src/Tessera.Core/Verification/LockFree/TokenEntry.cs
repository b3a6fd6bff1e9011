using System.Runtime.InteropServices;

namespace Tessera.Core.Verification.LockFree;

/// <summary>
/// One remembered token, 80 bytes, stored in chunks of a <see cref="TokenTable"/>. No references, so the
/// garbage collector never scans the chunks. Written only under the table's lock, read without one.
/// </summary>
/// <remarks>
/// <see cref="Word"/> is a sequence lock and the use counter in one 64-bit word: the high half is the
/// entry's sequence (odd while a writer changes the entry), the low half the uses counted since the last
/// flush. A reader copies the fields between two reads of the sequence and keeps the copy only if the
/// sequence did not move; a use is counted by a compare-and-swap that also requires the sequence the
/// reader saw, so a use can never land on an entry that has since been forgotten or given to another token.
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
internal struct TokenEntry
{
    /// <summary>Sequence (high 32 bits) and uses not yet flushed (low 32 bits).</summary>
    public long Word;

    /// <summary>The secret hash, compared in full on every lookup; all zero while the entry is free.</summary>
    public ulong A, B, C, D;

    /// <summary>The token id's 16 bytes (a <see cref="Guid"/>), as two words.</summary>
    public ulong Id0, Id1;

    public long ExpiresAtMs;

    /// <summary>When the last counted use happened (Unix ms); meaningful only while uses are pending.</summary>
    public long LastUsedMs;

    /// <summary>Where the name is in the <see cref="NameArena"/>.</summary>
    public int Name;

    /// <summary>The workload label's index + 1 (0 = unassigned), with <see cref="CancelledBit"/> and <see cref="EpochBit"/>.</summary>
    public int Workload;

    public const int CancelledBit = 1 << 31;

    /// <summary>The age epoch the entry was read from the store in (see <see cref="TokenTable.TurnEpoch"/>): one bit, no extra byte.</summary>
    public const int EpochBit = 1 << 30;

    /// <summary>The label part of <see cref="Workload"/>.</summary>
    public const int LabelMask = EpochBit - 1;

    public static uint SequenceOf(long word) => (uint)((ulong)word >> 32);

    public static uint UsesOf(long word) => (uint)word;

    public static bool IsWriting(long word) => (SequenceOf(word) & 1) != 0;

    public static long Compose(uint sequence, uint uses) => (long)(((ulong)sequence << 32) | uses);

    public readonly bool IsFree => (A | B | C | D) == 0;
}
