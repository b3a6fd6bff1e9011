using Tessera.Core.Storage;
using Tessera.Core.Verification;

namespace Tessera.Server.Background;

/// <summary>
/// Bounds how stale memory can be whatever happens to the change feed: every half
/// <see cref="VerificationOptions.MaxEntryAge"/> it starts a new age epoch and reads again, in batches and off
/// the hot path, every token remembered since before the previous epoch began. A token that changed is
/// remembered as it is now, one that is gone is forgotten, and one that could not be read is forgotten
/// too (the next verification reads it, or fails closed).
/// </summary>
public sealed class KnownTokenRefresher(ITokenStore store, KnownTokens known, VerificationOptions options, VerificationMetrics metrics,
    TimeProvider time, ILogger<KnownTokenRefresher> logger) : BackgroundService
{
    private const int BatchSize = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var epoch = options.MaxEntryAge / 2;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(epoch, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await RefreshAsync(known.TurnEpoch(), stoppingToken);
        }
    }

    private async Task RefreshAsync(List<Core.Secrets.SecretHash> due, CancellationToken cancellationToken)
    {
        for (var start = 0; start < due.Count && !cancellationToken.IsCancellationRequested; start += BatchSize)
        {
            var batch = due.GetRange(start, Math.Min(BatchSize, due.Count - start));
            var generations = batch.Select(h => known.GenerationOf(h)).ToArray();
            IReadOnlyList<TokenMatch> matches;
            try
            {
                matches = await store.FindTokensAsync(batch, cancellationToken);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                metrics.DatabaseError();
                logger.LogWarning("Could not read remembered tokens again ({Error}); they are forgotten instead.", e.Message);
                matches = [];
                generations = [.. generations.Select(_ => -1L)];
            }
            var byHash = matches.ToDictionary(m => m.Token.Hash);
            for (var i = 0; i < batch.Count; i++)
            {
                if (generations[i] < 0 || !byHash.TryGetValue(batch[i], out var match))
                {
                    known.Forget(batch[i]);
                    continue;
                }
                var token = match.Token;
                var workload = token.WorkloadId is null ? null : new WorkloadLabel(token.WorkloadId, match.WorkloadName ?? "");
                known.RememberAgain(batch[i], new KnownToken(token.Id, token.Name, token.Status, token.ExpiresAt, workload), generations[i]);
            }
            metrics.EntriesReread(batch.Count);
        }
    }
}
