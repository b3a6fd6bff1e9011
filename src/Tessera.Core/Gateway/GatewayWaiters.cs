using System.Collections.Concurrent;

namespace Tessera.Core.Gateway;

/// <summary>
/// Wakes the long polls of an account's gateways when the change follower reads a change of that account, so a
/// gateway is answered as soon as this server knows of the change instead of at the end of its wait.
/// </summary>
public sealed class GatewayWaiters
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _signals = new(StringComparer.Ordinal);

    /// <summary>
    /// A task that completes at the account's next change. Taken before reading the feed, so a change that commits
    /// between the read and the wait still wakes the waiter.
    /// </summary>
    public Task NextChangeAsync(string accountId) =>
        _signals.GetOrAdd(accountId, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Wakes everyone waiting on the account; later waiters wait for the change after this one.</summary>
    public void Signal(string accountId)
    {
        if (_signals.TryRemove(accountId, out var signal))
        {
            signal.TrySetResult();
        }
    }
}
