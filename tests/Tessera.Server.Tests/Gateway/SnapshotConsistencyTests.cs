using System.Collections.Concurrent;
using Tessera.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Gateway;

/// <summary>
/// Issue 16: the snapshot and the changes are consistent. A replica built from a snapshot taken while 1,000 tokens
/// are being cancelled, then fed the changes after the snapshot's position, has every one of them cancelled: each
/// cancel is in the snapshot or after its position, none falls between.
/// </summary>
public abstract class SnapshotConsistencyTests(TesseraApp app)
{
    public sealed class OnSqlite(TesseraApp app) : SnapshotConsistencyTests(app), IClassFixture<TesseraApp>;

    public sealed class OnPostgres(PostgresTesseraApp app) : SnapshotConsistencyTests(app.Require()), IClassFixture<PostgresTesseraApp>;

    private const int Tokens = 1_000;

    [Fact]
    public async Task A_snapshot_taken_while_1000_tokens_are_cancelled_loses_none_of_the_cancels()
    {
        var ct = TestContext.Current.CancellationToken;
        var account = await app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama");
        var ids = new ConcurrentBag<string>();
        await Parallel.ForAsync(0, Tokens, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct },
            async (i, _) => ids.Add((await account.CreateTokenAsync($"t{i}", workload.Id)).Id));
        var gateway = await app.GatewayClientAsync(account);

        // Cancels from 8 clients at once; the snapshots are taken while they run, the first after some have landed.
        var done = 0;
        var cancelling = Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (id, _) =>
        {
            await account.PatchTokenAsync(id, new { status = "cancelled" });
            Interlocked.Increment(ref done);
        });
        await Poll.UntilAsync(() => Task.FromResult(Volatile.Read(ref done)), n => n >= Tokens / 10);
        var replicas = new List<(Dictionary<string, GatewayEntry> Replica, long Position, int CancelledInSnapshot)>();
        while (!cancelling.IsCompleted && replicas.Count < 20)
        {
            var (tokens, position) = await gateway.SnapshotAsync();
            Assert.Equal(Tokens, tokens.Count);
            replicas.Add((tokens.ToDictionary(t => t.TokenId!), position, tokens.Count(t => t.Status == "cancelled")));
        }
        await cancelling;
        Assert.Contains(replicas, r => r.CancelledInSnapshot is > 0 and < Tokens); // at least one snapshot fell in the middle

        foreach (var (replica, start, _) in replicas)
        {
            var position = start;
            while (true)
            {
                var changes = await gateway.ChangesAsync(position, cancellationToken: ct);
                foreach (var change in changes.Changes)
                {
                    replica[change.TokenId!] = change;
                }
                if (changes.Changes.Count == 0)
                {
                    break;
                }
                position = changes.Position;
            }
            Assert.Equal(Tokens, replica.Count);
            var missed = replica.Values.Where(t => t.Status != "cancelled").Select(t => t.TokenId).ToList();
            Assert.True(missed.Count == 0, $"The replica from the snapshot at {start} missed {missed.Count} cancels.");
        }
    }
}
