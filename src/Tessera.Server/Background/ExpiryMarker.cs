using Tessera.Core;
using Tessera.Storage.Sql;

namespace Tessera.Server.Background;

/// <summary>
/// Marks the tokens whose expiry has passed for the list indexes (<see cref="PassedExpiries"/>, ADR 0012 "The passed
/// expiries") every minute, ±10%. Not the expiry scan of the webhooks (<see cref="ExpiryScanner"/>): this one changes no
/// token a reader sees, only how a usable page finds them. Each pass marks the expiries after the last pass's end, up
/// to a minute ago (servers sharing a database may disagree by less than that on the time), in batches; after a start it
/// looks two days back, which covers every day a usable page reads (from today's). Several servers marking at once only
/// share the work.
/// </summary>
public sealed class ExpiryMarker(PassedExpiries expiries, TimeProvider time, ILogger<ExpiryMarker> logger)
    : JitteredPasses(Interval, time)
{
    /// <summary>How often a pass runs.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    /// <summary>How long after an expiry a pass marks it.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMinutes(1);

    /// <summary>How far back the first pass after a start looks.</summary>
    public static readonly TimeSpan FirstLookback = TimeSpan.FromDays(2);

    /// <summary>The most tokens one write marks: a bulk import's pile is marked in writes of this size, others' between them.</summary>
    public const int Batch = 2_000;

    /// <summary>The end of the last pass's window, in Unix ms (a long: a test's pass may run beside the timer's).</summary>
    private long _markedUntil = long.MinValue;

    protected override Task PassAsync(CancellationToken stoppingToken) => MarkAsync(stoppingToken);

    /// <summary>One pass (also what tests call); the number of tokens marked, or -1 when the database failed (the next pass does its part).</summary>
    public async Task<int> MarkAsync(CancellationToken cancellationToken)
    {
        var until = Instants.Now(Time) - Settle;
        var last = Interlocked.Read(ref _markedUntil);
        var from = last == long.MinValue ? until - FirstLookback : DateTimeOffset.FromUnixTimeMilliseconds(last);
        int total;
        try
        {
            total = await expiries.MarkAllAsync(from, until, Batch, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Could not mark the tokens whose expiry passed ({Error}); usable token lists may be slower until the next try.", e.Message);
            return -1;
        }
        Interlocked.Exchange(ref _markedUntil, until.ToUnixTimeMilliseconds());
        if (total > 0)
        {
            logger.LogDebug("Marked {Count} tokens whose expiry passed.", total);
        }
        return total;
    }
}
