using Tessera.Core.Accounts;
using Tessera.Core.Storage;

namespace Tessera.Core.Gateway;

/// <summary>
/// The gateway feed (API.md §9, ADR 0016): a snapshot of an account's tokens, the changes after a position (long
/// polled), and the uses gateways verified on their own. A workload-bound key sees its workloads' tokens only.
/// </summary>
public sealed class GatewayService(IGatewayFeedStore feed, ITokenStore tokens, GatewayWaiters waiters, TimeProvider time)
{
    /// <summary>The most changes in one answer; a gateway that gets this many asks again at once.</summary>
    public const int MaxChanges = 1_000;

    /// <summary>The longest a long poll waits; shorter than the usual 60 s idle timeout of proxies in between.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    /// <summary>The most usage items in one report: a second of a gateway's traffic fits many times over.</summary>
    public const int MaxUsageItems = 1_000;

    public async Task<GatewaySnapshot> SnapshotAsync(Caller caller, CancellationToken cancellationToken)
    {
        // The position first: every change committed after this read has a higher position (ADR 0016), so it is either
        // already in the token read that follows or among the changes after the position.
        var position = await feed.PositionAsync(cancellationToken);
        return new GatewaySnapshot(position.Latest, feed.SnapshotAsync(caller.AccountId, caller.WorkloadIds, cancellationToken));
    }

    /// <summary>
    /// The changes after <paramref name="after"/>, waiting up to <paramref name="wait"/> for one; 410
    /// position_expired when the feed no longer holds them (or never held that position): take a new snapshot.
    /// </summary>
    public async Task<GatewayChanges> ChangesAsync(Caller caller, long after, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = time.GetTimestamp() + (long)(Math.Min(wait.TotalSeconds, MaxWait.TotalSeconds) * time.TimestampFrequency);
        var from = after;
        var checkedExpiry = false;
        while (true)
        {
            var next = waiters.NextChangeAsync(caller.AccountId);
            var position = await feed.PositionAsync(cancellationToken);
            if (!checkedExpiry)
            {
                if (after < position.PrunedThrough || after > position.Latest)
                {
                    throw new TesseraException(ProblemKind.Gone, ErrorCodes.PositionExpired, after > position.Latest
                        ? "This position is ahead of the feed (the database was restored or replaced): take a new snapshot."
                        : "The feed no longer holds the changes after this position: take a new snapshot.");
                }
                checkedExpiry = true;
            }
            var rows = await feed.ChangesAsync(caller.AccountId, from, position.Latest, MaxChanges, cancellationToken);
            var reached = rows.Count == MaxChanges ? rows[^1].Position : position.Latest;
            var entries = Visible(caller, rows);
            var remaining = deadline - time.GetTimestamp();
            if (entries.Count > 0 || remaining <= 0)
            {
                return new GatewayChanges(entries, reached);
            }
            // Nothing this gateway may see yet: wait for the account's next change (or the end of the wait) from here on.
            from = reached;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var delay = Task.Delay(TimeSpan.FromSeconds(remaining / (double)time.TimestampFrequency), time, timeout.Token);
            await Task.WhenAny(next, delay);
            await timeout.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Adds the uses a gateway verified itself; returns how many items named a token of the caller's (others are left out).</summary>
    public async Task<int> RecordUsageAsync(Caller caller, IReadOnlyList<TokenUsage> usages, CancellationToken cancellationToken)
    {
        if (usages.Count == 0)
        {
            return 0;
        }
        var mine = (await feed.ExistingAsync(caller.AccountId, caller.WorkloadIds, [.. usages.Select(u => u.TokenId).Distinct(StringComparer.Ordinal)],
            cancellationToken)).ToHashSet(StringComparer.Ordinal);
        // A gateway's clock may run ahead of Tessera's: a use is never recorded in the future.
        var now = Instants.Now(time);
        var recorded = usages.Where(u => mine.Contains(u.TokenId)).Select(u => u with { LastUsedAt = u.LastUsedAt > now ? now : u.LastUsedAt }).ToList();
        await tokens.RecordUsageAsync(recorded, cancellationToken);
        return recorded.Count;
    }

    /// <summary>
    /// Each token once, as it is now, in the order of its last change. A token the caller cannot see now is sent as
    /// deleted if it could see it before this change (it left the key's workloads), and not at all otherwise.
    /// </summary>
    private static List<GatewayChangeEntry> Visible(Caller caller, IReadOnlyList<GatewayChange> rows)
    {
        var last = new Dictionary<string, int>(StringComparer.Ordinal);
        var seenBefore = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < rows.Count; i++)
        {
            last[rows[i].TokenId] = i;
            if (caller.Sees(rows[i].PreviousWorkloadId))
            {
                seenBefore.Add(rows[i].TokenId);
            }
        }
        var entries = new List<GatewayChangeEntry>(last.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            if (last[row.TokenId] != i)
            {
                continue;
            }
            if (row.Current is { } token && caller.Sees(token.WorkloadId))
            {
                entries.Add(new GatewayChangeEntry(row.TokenId, token));
            }
            else if (caller.WorkloadIds is null || seenBefore.Contains(row.TokenId))
            {
                entries.Add(new GatewayChangeEntry(row.TokenId, null));
            }
        }
        return entries;
    }
}
