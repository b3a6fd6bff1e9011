using System.Buffers.Binary;
using System.Collections.Concurrent;
using Tessera.Core.Secrets;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Core.Verification;
using Tessera.Core.Verification.LockFree;

namespace Tessera.Core.Tests.Verification.LockFree;

/// <summary>
/// The dense table behind <see cref="KnownTokens"/>, with tiny chunks (4 entries, 256-byte name chunks) so a
/// few hundred tokens cross many chunk boundaries, rebuild the index and compact the names. Every token's
/// fields are derived from its key, so a copy that carries another token's fields is caught.
/// </summary>
public sealed class TokenTableTests
{
    private const int EntryChunkBits = 2;
    private const int NameChunkBits = 8;

    private static readonly WorkloadLabel[] Labels =
        [.. Enumerable.Range(0, 7).Select(i => new WorkloadLabel($"wl_{i:x32}", $"model-{i}"))];

    private static TokenTable NewTable() => new(EntryChunkBits, NameChunkBits);

    private static SecretHash Key(Random random)
    {
        Span<byte> bytes = stackalloc byte[32];
        random.NextBytes(bytes);
        return SecretHash.FromBytes(bytes);
    }

    private static SecretHash[] Keys(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => Key(random))];
    }

    private static string IdOf(in SecretHash key)
    {
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, key.A);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], key.B);
        return Ids.Token + new Guid(bytes).ToString("N");
    }

    // Lengths from 1 to over 127 bytes (a two-byte length), some of them not ASCII.
    private static string NameOf(in SecretHash key) =>
        (key.D % 5) switch
        {
            0 => "é" + new string('ü', (int)(key.D % 70)),
            _ => "user-" + new string('x', (int)(key.C % 30)) + key.B.ToString("x", System.Globalization.CultureInfo.InvariantCulture),
        };

    private static WorkloadLabel? LabelOf(in SecretHash key) => key.C % 8 == 7 ? null : Labels[(int)(key.C % 8)];

    private static KnownToken Derived(in SecretHash key) =>
        new(IdOf(key), NameOf(key), key.A % 3 == 0 ? TokenStatus.Cancelled : TokenStatus.Active,
            DateTimeOffset.FromUnixTimeMilliseconds((long)(key.D >> 24)), LabelOf(key) is { } label ? label with { } : null);

    /// <summary>Null when the copy is exactly the token of <paramref name="key"/>; otherwise what differs.</summary>
    private static string? Mismatch(in SecretHash key, in KnownToken token)
    {
        var label = LabelOf(key);
        if (token.Id != IdOf(key))
        {
            return $"id {token.Id}, expected {IdOf(key)}";
        }
        if (token.Name != NameOf(key))
        {
            return $"name {token.Name}, expected {NameOf(key)}";
        }
        if (token.ExpiresAt != DateTimeOffset.FromUnixTimeMilliseconds((long)(key.D >> 24)))
        {
            return $"expiry {token.ExpiresAt}";
        }
        if (token.Status != (key.A % 3 == 0 ? TokenStatus.Cancelled : TokenStatus.Active))
        {
            return $"status {token.Status}";
        }
        return token.Workload == label ? null : $"workload {token.Workload}, expected {label}";
    }

    private static KnownToken Remember(TokenTable table, in SecretHash key) => table.Remember(key, Derived(key), table.GenerationOf(key));

    [Fact]
    public void Growth_past_many_chunks_keeps_every_token_with_its_own_fields()
    {
        var table = NewTable();
        var keys = Keys(300, seed: 1);

        foreach (var key in keys)
        {
            Remember(table, key);
        }

        Assert.Equal(300, table.Count);
        Assert.Equal(75, table.EntryChunks); // 4 entries each
        Assert.True(table.SlotCount * 3 >= 300 * 4, $"{table.SlotCount} slots: the index stays at most three quarters full");
        Assert.True(table.NameChunks > 10);
        foreach (var key in keys)
        {
            Assert.True(table.TryGet(key, out var token));
            Assert.Null(Mismatch(key, token));
        }
        Assert.False(table.TryGet(Keys(1, seed: 2)[0], out _));
    }

    [Fact]
    public void Forgotten_entries_are_reused_so_memory_stays_at_its_peak_through_many_generations_of_tokens()
    {
        var table = NewTable();
        var first = Keys(200, seed: 3);
        foreach (var key in first)
        {
            Remember(table, key);
        }
        var (chunks, nameChunks) = (table.EntryChunks, table.NameChunks);

        for (var round = 0; round < 20; round++)
        {
            var keys = round == 0 ? first : Keys(200, seed: 100 + round);
            foreach (var key in keys)
            {
                table.Forget(key);
            }
            Assert.Equal(0, table.Count);
            Assert.Equal(16, table.SlotCount); // shrunk back
            Assert.Equal(0, table.LabelCount);
            foreach (var key in Keys(200, seed: 101 + round))
            {
                Remember(table, key);
            }
        }

        Assert.Equal(200, table.Count);
        Assert.Equal(200, table.EntriesEverUsed);
        Assert.Equal(chunks, table.EntryChunks);
        Assert.True(table.NameChunks <= 3 * nameChunks + 5, $"{table.NameChunks} name chunks after 20 rounds, {nameChunks} after the first");
        foreach (var key in Keys(200, seed: 120))
        {
            Assert.True(table.TryGet(key, out var token));
            Assert.Null(Mismatch(key, token));
        }
    }

    [Fact]
    public void Names_survive_compaction_and_a_copy_keeps_its_name_after_the_token_is_forgotten()
    {
        var table = NewTable();
        var keys = Keys(400, seed: 4);
        foreach (var key in keys)
        {
            Remember(table, key);
        }
        Assert.True(table.TryGet(keys[0], out var copy));
        var nameChunks = table.NameChunks;

        // Forget all but every tenth: most name chunks become mostly dead and are compacted away.
        for (var i = 0; i < keys.Length; i++)
        {
            if (i % 10 != 5)
            {
                table.Forget(keys[i]);
            }
        }
        Assert.True(table.NameChunks < nameChunks / 3, $"{table.NameChunks} name chunks left of {nameChunks}");
        var more = Keys(100, seed: 5);
        foreach (var key in more)
        {
            Remember(table, key); // reuses entries and name chunk indices
        }

        Assert.Null(Mismatch(keys[0], copy));
        foreach (var key in more)
        {
            Assert.True(table.TryGet(key, out var token));
            Assert.Null(Mismatch(key, token));
        }
        for (var i = 5; i < keys.Length; i += 10)
        {
            Assert.True(table.TryGet(keys[i], out var token));
            Assert.Null(Mismatch(keys[i], token));
        }
    }

    [Fact]
    public void A_fill_that_read_before_a_forget_is_answered_but_not_remembered()
    {
        var table = NewTable();
        var key = Keys(1, seed: 6)[0];

        var generation = table.GenerationOf(key);
        table.Forget(key); // a change committed while the fill was reading
        var answered = table.Remember(key, Derived(key), generation);

        Assert.Null(Mismatch(key, answered));
        Assert.False(table.TryGet(key, out _));
        Remember(table, key); // the next fill, after the change, is kept
        Assert.True(table.TryGet(key, out _));
    }

    [Fact]
    public void A_fill_in_flight_when_a_workload_is_forgotten_is_not_remembered()
    {
        var table = NewTable();
        var key = Keys(1, seed: 7)[0];

        var generation = table.GenerationOf(key);
        table.ForgetWorkload(Labels[0].Id); // renamed while the fill read the old name
        table.Remember(key, Derived(key), generation);

        Assert.False(table.TryGet(key, out _));
    }

    [Fact]
    public void Remember_and_forget_racing_on_one_token_never_leave_a_fill_that_read_before_the_forget()
    {
        var table = NewTable();
        var keys = Keys(2_000, seed: 8);
        using var barrier = new Barrier(2);
        var generations = new long[keys.Length];

        var fills = new Thread(() =>
        {
            for (var i = 0; i < keys.Length; i++)
            {
                generations[i] = table.GenerationOf(keys[i]); // the fill reads the store...
                barrier.SignalAndWait();
                table.Remember(keys[i], Derived(keys[i]), generations[i]); // ...and lands while the forget runs
            }
        });
        var forgets = new Thread(() =>
        {
            for (var i = 0; i < keys.Length; i++)
            {
                barrier.SignalAndWait();
                table.Forget(keys[i]);
            }
        });
        fills.Start();
        forgets.Start();
        fills.Join();
        forgets.Join();

        Assert.Equal(0, table.Count);
        Assert.All(keys, key => Assert.False(table.TryGet(key, out _)));
    }

    [Fact]
    public void Uses_survive_a_forget_a_stale_copy_and_a_failed_flush_and_are_never_given_to_another_token()
    {
        var table = NewTable();
        var (mine, other) = (Keys(2, seed: 9)[0], Keys(2, seed: 9)[1]);
        var copy = Remember(table, mine);
        table.RecordUse(copy, 1_000);
        table.RecordUse(copy, 2_000);

        table.Forget(mine); // two uses not flushed yet
        table.RecordUse(copy, 3_000); // a verification that copied the entry before the forget
        Remember(table, other); // takes the freed entry
        table.RecordUse(copy, 4_000); // still not the other token's
        var again = Remember(table, mine);
        table.RecordUse(again, 5_000);

        var taken = Assert.Single(table.TakeUsage());
        Assert.Equal((IdOf(mine), 5L, DateTimeOffset.FromUnixTimeMilliseconds(5_000)), (taken.TokenId, taken.Uses, taken.LastUsedAt));

        table.ReturnUsage([taken]); // the flush failed
        table.RecordUse(again, 6_000);
        var retaken = Assert.Single(table.TakeUsage());
        Assert.Equal((IdOf(mine), 6L, DateTimeOffset.FromUnixTimeMilliseconds(6_000)), (retaken.TokenId, retaken.Uses, retaken.LastUsedAt));
        Assert.Empty(table.TakeUsage());
    }

    [Fact]
    public void Readers_never_see_a_torn_entry_or_another_tokens_while_writers_remember_forget_grow_and_reuse()
    {
        var table = NewTable();
        var keys = Keys(1_500, seed: 10);
        const int WriterOps = 60_000;
        var writersLeft = 2;
        var mismatches = new ConcurrentQueue<string>();
        var counted = new ConcurrentDictionary<string, long>();
        var flushed = new ConcurrentDictionary<string, long>();
        var hits = 0L;

        void Writer(int seed)
        {
            var random = new Random(seed);
            for (var op = 0; op < WriterOps; op++)
            {
                var key = keys[random.Next(keys.Length)];
                // Alternate phases that fill the table and drain it, so it grows, shrinks and reuses entries.
                var filling = op / 5_000 % 2 == 0;
                var roll = random.Next(100);
                if (roll < (filling ? 70 : 25))
                {
                    Remember(table, key);
                }
                else if (roll < 99)
                {
                    table.Forget(key);
                }
                else if (random.Next(10) == 0)
                {
                    table.ForgetWorkload(Labels[random.Next(Labels.Length)].Id);
                }
                else
                {
                    // A fill that read before a forget: must be dropped.
                    var generation = table.GenerationOf(key);
                    table.Forget(key);
                    table.Remember(key, Derived(key), generation);
                }
            }
            Interlocked.Decrement(ref writersLeft);
        }

        void Reader(int seed)
        {
            var random = new Random(seed);
            var mine = new Dictionary<string, long>();
            while (Volatile.Read(ref writersLeft) > 0)
            {
                var key = keys[random.Next(keys.Length)];
                if (!table.TryGet(key, out var token))
                {
                    continue;
                }
                Interlocked.Increment(ref hits);
                if (Mismatch(key, token) is { } mismatch)
                {
                    mismatches.Enqueue(mismatch);
                }
                table.RecordUse(token, random.Next(1_000_000));
                mine[token.Id] = mine.GetValueOrDefault(token.Id) + 1;
            }
            foreach (var (id, uses) in mine)
            {
                counted.AddOrUpdate(id, uses, (_, sum) => sum + uses);
            }
        }

        void Flusher()
        {
            var random = new Random(11);
            while (Volatile.Read(ref writersLeft) > 0)
            {
                var taken = table.TakeUsage();
                if (random.Next(3) == 0)
                {
                    table.ReturnUsage(taken); // a failed flush
                }
                else
                {
                    Tally(flushed, taken);
                }
                Thread.Yield();
            }
        }

        Thread[] threads = [new(() => Writer(12)), new(() => Writer(13)), new(() => Reader(14)), new(() => Reader(15)), new(Flusher)];
        foreach (var thread in threads)
        {
            thread.Start();
        }
        foreach (var thread in threads)
        {
            thread.Join();
        }
        Tally(flushed, table.TakeUsage());

        Assert.Empty(mismatches);
        Assert.True(Interlocked.Read(ref hits) > 100, $"only {hits} hits: the readers barely overlapped the writers");
        Assert.Equal(counted.OrderBy(c => c.Key), flushed.OrderBy(f => f.Key));
        foreach (var key in keys.Where(k => table.TryGet(k, out _)))
        {
            Assert.True(table.TryGet(key, out var token));
            Assert.Null(Mismatch(key, token));
        }
    }

    private static void Tally(ConcurrentDictionary<string, long> tally, List<TokenUsage> taken)
    {
        foreach (var usage in taken)
        {
            tally.AddOrUpdate(usage.TokenId, usage.Uses, (_, sum) => sum + usage.Uses);
        }
    }
}
