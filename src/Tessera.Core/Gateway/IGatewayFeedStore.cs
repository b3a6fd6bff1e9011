namespace Tessera.Core.Gateway;

/// <summary>The gateway feed's reads (API.md §9): an account's tokens as gateways see them, and its changes.</summary>
public interface IGatewayFeedStore
{
    /// <summary>The feed's position now; read before a snapshot, so every change not in it comes after it.</summary>
    Task<FeedPosition> PositionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Every token of the account that exists (cancelled and expired included), inside <paramref name="workloadIds"/>
    /// when not null, streamed from one read without holding them all in memory.
    /// </summary>
    IAsyncEnumerable<GatewayToken> SnapshotAsync(string accountId, IReadOnlyList<string>? workloadIds, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> of the account's changes in (<paramref name="after"/>, <paramref name="through"/>], oldest first.</summary>
    Task<IReadOnlyList<GatewayChange>> ChangesAsync(string accountId, long after, long through, int limit, CancellationToken cancellationToken);

    /// <summary>Those of <paramref name="tokenIds"/> that are tokens of the account (inside <paramref name="workloadIds"/> when not null).</summary>
    Task<IReadOnlyList<string>> ExistingAsync(string accountId, IReadOnlyList<string>? workloadIds, IReadOnlyList<string> tokenIds,
        CancellationToken cancellationToken);
}
