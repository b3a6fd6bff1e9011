namespace Tessera.Core.Verification;

/// <summary>
/// Lets a push (PostgreSQL's NOTIFY) cut the change follower's wait short. Wakes coalesce: however many arrive
/// during one read of the feed, the follower reads once more, which covers them all.
/// </summary>
public sealed class FeedWakeup
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken: the next read covers this change too.
        }
    }

    /// <summary>Waits for a wake or <paramref name="interval"/>, whichever comes first.</summary>
    public Task WaitAsync(TimeSpan interval, CancellationToken cancellationToken) => _signal.WaitAsync(interval, cancellationToken);
}
