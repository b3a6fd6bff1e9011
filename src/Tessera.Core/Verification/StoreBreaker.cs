namespace Tessera.Core.Verification;

/// <summary>
/// The query side's circuit breaker on the store. A store read that failed or ran past
/// <see cref="VerificationOptions.StoreTimeout"/> opens it for <see cref="VerificationOptions.StoreBreak"/>:
/// meanwhile every verification that would read the store answers 503 at once instead of queueing behind a
/// database that is known to hang (gateways time out first and turn a wait into 500s). When the break is
/// over one verification, and only one, tries the store again; a success anywhere (a fill, a change-feed
/// read) closes the breaker.
/// </summary>
public sealed class StoreBreaker(VerificationOptions options, TimeProvider time)
{
    private const long Closed = long.MinValue;
    private readonly long _break = time.TimestampSpan(options.StoreBreak);
    private long _openUntil = Closed;

    /// <summary>True while the store is known to be down (<paramref name="now"/>: a timestamp of the one clock).</summary>
    public bool IsOpen(long now)
    {
        var until = Volatile.Read(ref _openUntil);
        return until != Closed && now < until;
    }

    /// <summary>
    /// True when a store read may go ahead: the breaker is closed, or its break is over and this caller won
    /// the one trial (which re-arms the break for everyone else until it reports back).
    /// </summary>
    public bool TryPass(long now)
    {
        var until = Volatile.Read(ref _openUntil);
        if (until == Closed)
        {
            return true;
        }
        if (now < until)
        {
            return false;
        }
        return Interlocked.CompareExchange(ref _openUntil, now + _break, until) == until;
    }

    /// <summary>A store read failed or timed out.</summary>
    public void Trip(long now) => Volatile.Write(ref _openUntil, now + _break);

    /// <summary>A store read succeeded.</summary>
    public void Close()
    {
        if (Volatile.Read(ref _openUntil) != Closed)
        {
            Volatile.Write(ref _openUntil, Closed);
        }
    }
}
