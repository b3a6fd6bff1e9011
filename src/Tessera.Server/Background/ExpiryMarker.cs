using Tessera.Core;
using Tessera.Storage.Sql;

namespace Tessera.Server.Background;

/// <summary>
/// Marks the tokens whose expiry has passed for the list indexes (<see cref="PassedExpiries"/>, ADR 0012 "The passed
/// expiries") every minute, ±10%. Not the expiry scan of the webhooks (<see cref="ExpiryScanner"/>): this one changes no
/// token a reader sees, only how a usable page finds them. Each pass marks the expiries after the last pass's end
/// (<see cref="PassedExpiries.MarkPassedAsync"/>: after a start, two days back). Several servers marking at once only
/// share the work.
/// </summary>
public sealed class ExpiryMarker(PassedExpiries expiries, TimeProvider time, ILogger<ExpiryMarker> logger)
    : JitteredPasses(Interval, time)
{
    /// <summary>How often a pass runs.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    /// <summary>The end of the last pass's window, in Unix ms (a long: a test's pass may run beside the timer's).</summary>
    private long _markedUntil = long.MinValue;

    protected override Task PassAsync(CancellationToken stoppingToken) => MarkAsync(stoppingToken);

    /// <summary>One pass (also what tests call); the number of tokens marked, or -1 when the database failed (the next pass does its part).</summary>
    public async Task<int> MarkAsync(CancellationToken cancellationToken)
    {
        var last = Interlocked.Read(ref _markedUntil);
        int total;
        try
        {
            (total, var until) = await expiries.MarkPassedAsync(Instants.Now(Time), last == long.MinValue ? null : DateTimeOffset.FromUnixTimeMilliseconds(last),
                cancellationToken);
            Interlocked.Exchange(ref _markedUntil, until.ToUnixTimeMilliseconds());
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Could not mark the tokens whose expiry passed ({Error}); usable token lists may be slower until the next try.", e.Message);
            return -1;
        }
        if (total > 0)
        {
            logger.LogDebug("Marked {Count} tokens whose expiry passed.", total);
        }
        return total;
    }
}
