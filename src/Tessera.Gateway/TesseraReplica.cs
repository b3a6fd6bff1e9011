using System.Buffers.Text;
using System.Collections.Concurrent;
using Tessera.Contracts;
using Tessera.Core;
using Tessera.Core.Secrets;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Core.Verification;

namespace Tessera.Gateway;

/// <summary>
/// The gateway's copy of the tokens its key may see, kept by the gateway feed (API.md §9) in Tessera.Core's own
/// lookup table (<see cref="KnownTokens"/>), and the decision about a presented token made from it.
/// </summary>
/// <remarks>
/// <para>One writer (the feed follower) and any number of readers, which take no lock. A resynchronisation (a new
/// snapshot) builds a new table and swaps it in whole.</para>
/// <para><b>Trust.</b> The replica is trusted while it can show it had every change committed up to
/// <see cref="TesseraGatewayOptions.TrustWindow"/> ago. A changes answer shows it as of its arrival (Tessera read the
/// feed just before answering). While a long poll is outstanding Tessera has promised to answer at once on a change,
/// so the replica counts as current until the poll's own wait is over; a poll that fails (Tessera stopped: the
/// connection closes) counts as current up to the failure, and the retries that follow count for nothing until one is
/// answered. So a stopped Tessera leaves known tokens passing for
/// the trust window, and a Tessera that hangs without closing the connection for the poll wait plus the window.</para>
/// </remarks>
public sealed class TesseraReplica
{
    private const long None = long.MinValue;

    private readonly long _trust;
    private readonly TimeProvider _time;
    private readonly ConcurrentQueue<(KnownTokens Table, int Rounds)> _retired = new();
    private volatile Table _table;
    private long _position = -1;
    private long _syncedTick = None;
    private long _pollSentTick = None;
    private long _pollWait;
    // True while the last feed call succeeded: only a poll sent on the heels of an answer counts as Tessera's promise
    // (a retry after a failure proves nothing until it is answered).
    private bool _answered;

    internal TesseraReplica(TesseraGatewayOptions options, TimeProvider time)
    {
        // Every instant below is a timestamp of this one clock (ADR 0023).
        _trust = time.TimestampSpan(options.TrustWindow);
        _time = time;
        _table = new Table(time);
    }

    /// <summary>Tokens in the replica.</summary>
    public int Count => _table.Known.Count;

    /// <summary>The feed position the replica has reached; -1 before the first snapshot.</summary>
    public long Position => Volatile.Read(ref _position);

    /// <summary>True while the replica may decide (see the remarks); false before the first snapshot.</summary>
    public bool IsTrusted => IsTrustedAt(_time.GetTimestamp());

    /// <summary>How long ago the replica last showed it was current, or null before it ever was.</summary>
    public TimeSpan? Age
    {
        get
        {
            var now = _time.GetTimestamp();
            var current = CurrentAsOf(now);
            return current == None ? null : _time.GetElapsedTime(current, now);
        }
    }

    private bool IsTrustedAt(long now)
    {
        var current = CurrentAsOf(now);
        return current != None && now - current <= _trust;
    }

    /// <summary>The latest instant (timestamp) the replica is known to have been current at.</summary>
    private long CurrentAsOf(long now)
    {
        var synced = Volatile.Read(ref _syncedTick);
        var sent = Volatile.Read(ref _pollSentTick);
        if (sent != None && synced != None)
        {
            synced = Math.Max(synced, Math.Min(now, sent + Volatile.Read(ref _pollWait)));
        }
        return synced;
    }

    /// <summary>
    /// Decides about a presented <c>Authorization</c> header for <paramref name="workloadId"/>; counts a use when it
    /// passes. Null when the replica is not trusted (answer 503): only a missing or malformed credential is refused
    /// without it, since neither depends on Tessera.
    /// </summary>
    internal Verification? Verify(string? authorization, string workloadId)
    {
        var presented = Bearer.Credential(authorization);
        if (presented.IsEmpty)
        {
            return new Verification(VerificationOutcome.Missing, default);
        }
        if (!SecretFormat.TryHash(presented, SecretKind.QueryToken, out var hash))
        {
            return new Verification(VerificationOutcome.Malformed, default);
        }
        if (!IsTrustedAt(_time.GetTimestamp()))
        {
            return null;
        }
        var table = _table;
        var known = table.Known;
        if (!TryGet(table, hash, out var token))
        {
            return new Verification(VerificationOutcome.Unknown, default);
        }
        var now = _time.GetUtcNow();
        var outcome = VerificationService.OutcomeOf(token, workloadId, now);
        if (outcome == VerificationOutcome.Usable)
        {
            known.RecordUse(token, now.ToUnixTimeMilliseconds());
        }
        return new Verification(outcome, token);
    }

    /// <summary>
    /// A lookup whose miss is certain: the table skips an entry while its one writer changes it (Tessera's servers then
    /// read their store; here the replica is all there is), so a miss is read again under the table's write lock, when
    /// no change is half-made. Only misses (unknown tokens, or a change this very instant) take the lock.
    /// </summary>
    private static bool TryGet(Table table, in SecretHash hash, out KnownToken token)
    {
        if (table.Known.TryGet(hash, out token))
        {
            return true;
        }
        lock (table.WriteLock)
        {
            return table.Known.TryGet(hash, out token);
        }
    }

    // ---- The follower's side (one writer). ----

    /// <summary>A table for a new snapshot; <see cref="Replace"/> swaps it in when the snapshot is complete.</summary>
    internal Table NewTable() => new(_time);

    internal void Replace(Table table, long position)
    {
        _answered = true;
        var old = _table;
        _table = table;
        Volatile.Write(ref _position, position);
        // Uses counted on the old table still reach Tessera (taken on the next two reports: a verification may
        // have copied its entry just before the swap).
        _retired.Enqueue((old.Known, 2));
    }

    internal void Apply(GatewayEntry change) => _table.Apply(change);

    internal void Advance(long position) => Volatile.Write(ref _position, position);

    /// <summary>A long poll is about to be sent, waiting up to <paramref name="wait"/>.</summary>
    internal void PollSent(TimeSpan wait)
    {
        if (!_answered)
        {
            return;
        }
        Volatile.Write(ref _pollWait, _time.TimestampSpan(wait));
        Volatile.Write(ref _pollSentTick, _time.GetTimestamp());
    }

    /// <summary>A changes answer that left nothing behind arrived: the replica is current as of now.</summary>
    internal void Synced()
    {
        _answered = true;
        Volatile.Write(ref _syncedTick, _time.GetTimestamp());
        Volatile.Write(ref _pollSentTick, None);
    }

    /// <summary>An answer with more to come: the poll is over, the replica is not yet shown current.</summary>
    internal void PollAnswered()
    {
        _answered = true;
        Volatile.Write(ref _pollSentTick, None);
    }

    /// <summary>The poll failed now: current until then (or until its wait ran out), not after.</summary>
    internal void PollFailed()
    {
        var tick = _time.GetTimestamp();
        var sent = Volatile.Read(ref _pollSentTick);
        var synced = Volatile.Read(ref _syncedTick);
        if (sent != None && synced != None)
        {
            Volatile.Write(ref _syncedTick, Math.Max(synced, Math.Min(tick, sent + Volatile.Read(ref _pollWait))));
        }
        Volatile.Write(ref _pollSentTick, None);
        _answered = false;
    }

    /// <summary>Takes the uses counted since the last report, one item per token.</summary>
    internal List<TokenUsage> TakeUsage()
    {
        var taken = _table.Known.TakeUsage();
        var count = _retired.Count;
        for (var i = 0; i < count && _retired.TryDequeue(out var retired); i++)
        {
            taken.AddRange(retired.Table.TakeUsage());
            if (retired.Rounds > 1)
            {
                _retired.Enqueue((retired.Table, retired.Rounds - 1));
            }
        }
        return taken;
    }

    /// <summary>Gives back uses whose report failed, for the next report.</summary>
    internal void ReturnUsage(IEnumerable<TokenUsage> usage) => _table.Known.ReturnUsage(usage);

    /// <summary>Tokens by hash (Tessera.Core's table) and, for the feed's deletions, hashes by token id.</summary>
    internal sealed class Table(TimeProvider time)
    {
        private readonly Dictionary<Guid, SecretHash> _hashes = [];
        private readonly Dictionary<string, WorkloadLabel> _labels = new(StringComparer.Ordinal);

        // The trust window is the replica's own: the table's (Tessera's server-side) one is not consulted.
        public KnownTokens Known { get; } = new(new VerificationOptions(), time);

        /// <summary>Held while <see cref="Apply"/> changes the table, so a reader that missed can read again with no change half-made.</summary>
        public Lock WriteLock { get; } = new();

        /// <summary>Applies one snapshot line or change: the token as it is now, or gone.</summary>
        public void Apply(GatewayEntry entry)
        {
            lock (WriteLock)
            {
                ApplyUnlocked(entry);
            }
        }

        private void ApplyUnlocked(GatewayEntry entry)
        {
            if (entry.TokenId is null || !entry.TokenId.StartsWith(Ids.Token, StringComparison.Ordinal) ||
                !Guid.TryParseExact(entry.TokenId.AsSpan(Ids.Token.Length), "N", out var id))
            {
                throw new FormatException("A gateway feed entry without a token id.");
            }
            if (entry.Deleted)
            {
                if (_hashes.Remove(id, out var gone))
                {
                    Known.Forget(gone);
                }
                return;
            }
            var hash = HashOf(entry.Hash);
            if (_hashes.TryGetValue(id, out var previous) && previous != hash)
            {
                Known.Forget(previous);
            }
            _hashes[id] = hash;
            var status = entry.Status switch
            {
                "active" => TokenStatus.Active,
                "cancelled" => TokenStatus.Cancelled,
                _ => throw new FormatException($"A gateway feed entry with status '{entry.Status}'."),
            };
            var expiresAt = entry.ExpiresAt ?? throw new FormatException("A gateway feed entry without expiresAt.");
            // The feed carries no names (a replica leaks as little as possible): tokens keep an empty one.
            var token = new KnownToken(entry.TokenId, "", status, expiresAt, LabelOf(entry.WorkloadId));
            Known.Remember(hash, token, Known.GenerationOf(hash));
        }

        private WorkloadLabel? LabelOf(string? workloadId)
        {
            if (workloadId is null)
            {
                return null;
            }
            if (!_labels.TryGetValue(workloadId, out var label))
            {
                label = new WorkloadLabel(workloadId, "");
                _labels[workloadId] = label;
            }
            return label;
        }

        private static SecretHash HashOf(string? encoded)
        {
            Span<byte> bytes = stackalloc byte[SecretHash.Length];
            if (encoded is null || !Base64Url.TryDecodeFromChars(encoded, bytes, out var written) || written != SecretHash.Length)
            {
                throw new FormatException("A gateway feed entry whose hash is not 32 bytes of base64url.");
            }
            return SecretHash.FromBytes(bytes);
        }
    }
}
