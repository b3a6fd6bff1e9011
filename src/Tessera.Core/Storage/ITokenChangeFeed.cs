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

    /// <summary>Removes changes recorded before <paramref name="before"/>; safe to run on every server at once.</summary>
    Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken);
}
