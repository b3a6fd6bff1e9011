using Tessera.Core.Secrets;
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

    private async Task RefreshAsync(List<SecretHash> due, CancellationToken cancellationToken)
    {
        for (var start = 0; start < due.Count && !cancellationToken.IsCancellationRequested; start += BatchSize)
        {
            var batch = due.GetRange(start, Math.Min(BatchSize, due.Count - start));
            var generations = batch.ConvertAll(h => known.GenerationOf(h));
            Dictionary<SecretHash, TokenMatch> byHash;
            try
            {
                byHash = (await store.FindTokensAsync(batch, cancellationToken)).ToDictionary(m => m.Token.Hash);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                metrics.DatabaseError();
                logger.LogWarning("Could not read remembered tokens again ({Error}); they are forgotten instead.", e.Message);
                byHash = [];
            }
            for (var i = 0; i < batch.Count; i++)
            {
                if (byHash.TryGetValue(batch[i], out var match))
                {
                    known.RememberAgain(batch[i], KnownToken.From(match), generations[i]);
                }
                else
                {
                    known.Forget(batch[i]); // gone, or not read: the next verification reads it
                }
            }
            metrics.EntriesReread(batch.Count);
        }
    }
}
