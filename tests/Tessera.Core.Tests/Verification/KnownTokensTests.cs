using Microsoft.Extensions.Time.Testing;
using Tessera.Core.Secrets;
using Tessera.Core.Tokens;
using Tessera.Core.Verification;

namespace Tessera.Core.Tests.Verification;

public sealed class KnownTokensTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private static readonly VerificationOptions Options = new();

    // Memory's times are timestamps of its clock; a FakeTimeProvider's are 100 ns ticks.
    private static readonly FakeTimeProvider Clock = new(Now);

    private static long Ms(long milliseconds) => milliseconds * Clock.TimestampFrequency / 1000;

    private static SecretHash NewHash() => SecretHash.Of(SecretFormat.Generate(SecretKind.QueryToken));

    private static KnownToken Token(string workloadId = "wl_0192a3b4c5d67e8f9a0b1c2d3e4f5a6b") =>
        new(Ids.New(Ids.Token, Now), "alice", TokenStatus.Active, Now.AddDays(30), new WorkloadLabel(workloadId, "llama-3"));

    [Fact]
    public void A_token_keeps_its_id_in_sixteen_bytes_and_gives_it_back_unchanged()
    {
        var id = Ids.New(Ids.Token, Now);

        var token = new KnownToken(id, "alice", TokenStatus.Active, Now.AddDays(30), null);

        Assert.Equal(id, token.Id);
        Assert.Equal(TokenState.Unassigned, token.StateAt(Now));
        Assert.Equal(TokenState.Expired, token.StateAt(Now.AddDays(30)));
    }

    [Fact]
    public void A_fill_is_remembered_unless_the_token_was_forgotten_while_it_read()
    {
        var known = new KnownTokens(Options, Clock);
        var hash = NewHash();

        var quiet = known.GenerationOf(hash);
        known.Remember(hash, Token(), quiet);
        Assert.True(known.TryGet(hash, out _));

        var raced = known.GenerationOf(hash);
        known.Forget(hash); // a cancel committed while the fill was reading
        known.Remember(hash, Token(), raced);

        Assert.False(known.TryGet(hash, out _));
    }

    [Fact]
    public void Forgetting_everything_empties_memory_drops_fills_in_flight_and_keeps_the_uses_counted()
    {
        var known = new KnownTokens(Options, Clock, entryChunkBits: 2, nameChunkBits: 8);
        var hashes = Enumerable.Range(0, 9).Select(_ => NewHash()).ToArray();
        foreach (var hash in hashes)
        {
            known.Remember(hash, Token(), known.GenerationOf(hash));
        }
        Assert.True(known.TryGet(hashes[0], out var used));
        known.RecordUse(used, 1_000);
        var unknown = NewHash();
        known.RememberUnknown(unknown, known.GenerationOf(unknown), 0);
        var inFlight = known.GenerationOf(hashes[1]);

        known.ForgetAll();

        Assert.Equal(0, known.Count);
        Assert.All(hashes, h => Assert.False(known.TryGet(h, out _)));
        Assert.False(known.IsKnownUnknown(unknown, 0));
        known.Remember(hashes[1], Token(), inFlight); // read before the reset: may be stale
        Assert.False(known.TryGet(hashes[1], out _));
        var usage = Assert.Single(known.TakeUsage());
        Assert.Equal((used.Id, 1L), (usage.TokenId, usage.Uses));
        known.Remember(hashes[2], Token(), known.GenerationOf(hashes[2])); // read after it: kept
        Assert.True(known.TryGet(hashes[2], out _));
    }

    [Fact]
    public void Tokens_come_due_for_a_second_read_one_epoch_after_the_epoch_they_were_read_in_and_a_second_read_renews_them()
    {
        var known = new KnownTokens(Options, Clock, entryChunkBits: 2, nameChunkBits: 8);
        var (old, young) = (NewHash(), NewHash());
        known.Remember(old, Token(), known.GenerationOf(old));

        Assert.Empty(known.TurnEpoch()); // read in the epoch that just ended: not due yet
        known.Remember(young, Token(), known.GenerationOf(young));
        Assert.Equal([old], known.TurnEpoch()); // two epochs old: due

        known.RememberAgain(old, Token(), known.GenerationOf(old));
        Assert.Equal([young], known.TurnEpoch()); // "old" was read again in the epoch that just ended

        var raced = known.GenerationOf(young);
        known.Forget(young);
        known.Remember(young, Token(), known.GenerationOf(young));
        known.RememberAgain(young, Token("wl_99999999999999999999999999999999"), raced); // changed while read again: forgotten, not kept stale
        Assert.False(known.TryGet(young, out _));
        Assert.True(known.TryGet(old, out var kept));
        Assert.Equal("wl_0192a3b4c5d67e8f9a0b1c2d3e4f5a6b", kept.Workload!.Id);
    }

    [Fact]
    public void Unknown_hashes_are_remembered_for_their_ttl_forgotten_on_change_and_capped()
    {
        var known = new KnownTokens(new VerificationOptions { UnknownTtl = TimeSpan.FromSeconds(5), MaxUnknown = 2 }, Clock);
        var (a, b, c) = (NewHash(), NewHash(), NewHash());

        known.RememberUnknown(a, known.GenerationOf(a), 0);
        known.RememberUnknown(b, known.GenerationOf(b), 0);
        known.RememberUnknown(c, known.GenerationOf(c), 0);

        Assert.True(known.IsKnownUnknown(a, Ms(3_749))); // at least three quarters of the TTL
        Assert.False(known.IsKnownUnknown(a, Ms(5_000))); // never longer than the TTL
        Assert.False(known.IsKnownUnknown(c, 0)); // over the cap: goes to the store again
        known.Forget(b); // created meanwhile
        Assert.False(known.IsKnownUnknown(b, 0));
        known.SweepUnknown(Ms(5_000));
        Assert.Equal(0, known.UnknownCount);
    }

    [Fact]
    public void Unknown_hashes_presented_together_expire_spread_over_the_last_quarter_of_the_ttl()
    {
        var known = new KnownTokens(new VerificationOptions { UnknownTtl = TimeSpan.FromSeconds(4), MaxUnknown = 1_000 }, Clock);
        var hashes = Enumerable.Range(0, 200).Select(_ => NewHash()).ToList();
        foreach (var hash in hashes)
        {
            known.RememberUnknown(hash, known.GenerationOf(hash), 0);
        }

        Assert.All(hashes, h => Assert.True(known.IsKnownUnknown(h, Ms(2_999))));
        Assert.All(hashes, h => Assert.False(known.IsKnownUnknown(h, Ms(4_000))));
        // Some, not all, have expired half way through the last quarter: the store sees them over a second, not at once.
        var expiredAt3500 = hashes.Count(h => !known.IsKnownUnknown(h, Ms(3_500)));
        Assert.InRange(expiredAt3500, 1, hashes.Count - 1);
    }

    [Fact]
    public void Forgetting_a_workload_forgets_exactly_its_tokens()
    {
        var known = new KnownTokens(Options, Clock);
        var (mine, other) = (NewHash(), NewHash());
        known.Remember(mine, Token("wl_0192a3b4c5d67e8f9a0b1c2d3e4f5a6b"), known.GenerationOf(mine));
        known.Remember(other, Token("wl_0192a3b4c5d67e8f9a0b1c2d3e4f5a6c"), known.GenerationOf(other));

        known.ForgetWorkload("wl_0192a3b4c5d67e8f9a0b1c2d3e4f5a6b");

        Assert.False(known.TryGet(mine, out _));
        Assert.True(known.TryGet(other, out _));
    }

    [Fact]
    public void Tokens_of_one_workload_share_one_label()
    {
        var known = new KnownTokens(Options, Clock);
        var (a, b) = (NewHash(), NewHash());
        known.Remember(a, Token(), known.GenerationOf(a));
        known.Remember(b, Token(), known.GenerationOf(b));

        Assert.True(known.TryGet(a, out var first));
        Assert.True(known.TryGet(b, out var second));
        Assert.Same(first.Workload, second.Workload);
        Assert.Equal(new WorkloadLabel("wl_0192a3b4c5d67e8f9a0b1c2d3e4f5a6b", "llama-3"), first.Workload);
    }

    [Fact]
    public void Memory_is_not_trusted_before_the_first_feed_read_and_only_for_the_window_after_each()
    {
        var time = new FakeTimeProvider(Now);
        var known = new KnownTokens(new VerificationOptions { TrustWindow = TimeSpan.FromSeconds(1), OfflineGrace = TimeSpan.FromSeconds(2) }, time);
        Assert.False(known.IsTrusted(time.GetTimestamp()));
        Assert.False(known.IsWithinGrace(time.GetTimestamp()));

        time.Advance(TimeSpan.FromSeconds(10));
        known.MarkSynced(time.GetTimestamp());

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(known.IsTrusted(time.GetTimestamp()));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(known.IsTrusted(time.GetTimestamp()));
        time.Advance(TimeSpan.FromMilliseconds(1_999));
        Assert.True(known.IsWithinGrace(time.GetTimestamp()));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(known.IsWithinGrace(time.GetTimestamp()));
    }

    [Fact]
    public void Uses_are_taken_once_per_flush_and_a_failed_flush_gives_them_back()
    {
        var known = new KnownTokens(Options, Clock);
        var hash = NewHash();
        var token = known.Remember(hash, Token(), known.GenerationOf(hash));
        known.RecordUse(token, 1_000);
        known.RecordUse(token, 2_000);

        var taken = known.TakeUsage();
        Assert.Equal(2, Assert.Single(taken).Uses);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(2_000), taken[0].LastUsedAt);
        Assert.Equal(token.Id, taken[0].TokenId);
        Assert.Empty(known.TakeUsage());

        known.ReturnUsage(taken);
        known.RecordUse(token, 3_000);

        var retaken = Assert.Single(known.TakeUsage());
        Assert.Equal(3, retaken.Uses);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(3_000), retaken.LastUsedAt);
    }
}
