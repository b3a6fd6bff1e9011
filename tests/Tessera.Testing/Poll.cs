namespace Tessera.Testing;

/// <summary>Asking again until something eventually holds: for effects that are asynchronous by design (feeds, flushes).</summary>
public static class Poll
{
    public static readonly TimeSpan DefaultLimit = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Calls <paramref name="probe"/> until <paramref name="done"/> holds or <paramref name="limit"/> (10 s) has passed;
    /// returns the last answer, which the caller asserts on, and how long the wait took.
    /// </summary>
    public static async Task<(T Last, TimeSpan Elapsed)> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? limit = null)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var last = await probe();
            var elapsed = TimeProvider.System.GetElapsedTime(started);
            if (done(last) || elapsed >= (limit ?? DefaultLimit))
            {
                return (last, elapsed);
            }
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }
    }
}
