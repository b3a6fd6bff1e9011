namespace Tessera.Core.Storage;

/// <summary>
/// The append-only record of which secrets' tokens changed (created, updated, deleted, or their
/// workload renamed or deleted), written by the database in the same transaction as the change.
/// Every server follows it to forget what it remembered about those tokens.
/// </summary>
public interface ITokenChangeFeed
{
    /// <summary>The position of the newest change; following starts after it.</summary>
    Task<long> LatestPositionAsync(CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> changes after <paramref name="position"/>, oldest first.</summary>
    Task<IReadOnlyList<TokenChange>> ReadAfterAsync(long position, int limit, CancellationToken cancellationToken);

    /// <summary>The changes at these positions that exist now (positions a follower read past before they committed).</summary>
    Task<IReadOnlyList<TokenChange>> ReadAtAsync(IReadOnlyCollection<long> positions, CancellationToken cancellationToken);

    /// <summary>
    /// The highest position ever removed from the feed (by <see cref="PruneAsync"/> or any other DELETE: the
    /// database keeps it). A follower whose place is below it may have missed changes and must start over.
    /// </summary>
    Task<long> PrunedThroughAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Removes changes recorded more than <paramref name="retention"/> ago by the database's own clock (never a
    /// server's, which may be off); safe to run on every server at once.
    /// </summary>
    Task<int> PruneAsync(TimeSpan retention, CancellationToken cancellationToken);
}
