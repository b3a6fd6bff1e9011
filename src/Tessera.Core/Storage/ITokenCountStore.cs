using Tessera.Core.Tokens;

namespace Tessera.Core.Storage;

/// <summary>How many tokens an account has in each state (API.md §2), counted in one read.</summary>
public interface ITokenCountStore
{
    /// <summary>
    /// The account's tokens by state at <paramref name="now"/>, only those in <paramref name="workloadIn"/> when given (a
    /// workload-bound key's view), and how many usable ones expire by <paramref name="expiringBefore"/>.
    /// </summary>
    Task<TokenCounts> CountAsync(string accountId, IReadOnlyList<string>? workloadIn, DateTimeOffset now, DateTimeOffset expiringBefore,
        CancellationToken cancellationToken);

    /// <summary>
    /// How many of the account's tokens match <paramref name="query"/>'s filters (its order, limit and position do not
    /// apply), counted up to <paramref name="limit"/>: a result equal to the limit means "at least that many" (ADR 0021).
    /// </summary>
    Task<long> CountMatchesAsync(string accountId, TokenQuery query, long limit, CancellationToken cancellationToken);
}
