namespace Tessera.Storage.Sql;

/// <summary>
/// Which filter of a token list finds its rows through that filter's own index (the rows are then sorted), rather than
/// the sort order's index being walked and every filter tested on the way (ADR 0012).
/// </summary>
internal enum TokenListNarrowing
{
    /// <summary>Walk the sort order (of the account, a workload or the cancelled tokens).</summary>
    None,

    /// <summary>The trigram index (3+ characters) or a range of the name index (a prefix).</summary>
    Name,

    /// <summary>A range of the creation index.</summary>
    Created,

    /// <summary>A range of the expiry index (expiresBefore, state=expired).</summary>
    Expires,

    /// <summary>One workload's (or the unassigned tokens') cancelled tokens, through their partial index (migration 0018).</summary>
    CancelledOfWorkload,
}

/// <summary>
/// How a token list page is read (<see cref="SqlTokenStore.ChooseReadAsync"/>): through <paramref name="Narrowing"/>'s
/// index, or, where <paramref name="Days"/> is given, day by day over <paramref name="Range"/> (<see cref="TokenListDays"/>).
/// <paramref name="Range"/> without days: the page's range on another instant than the sort's, not read by days; then
/// <paramref name="SortBound"/>, where given, is where a walk of the sort order may start (<see cref="TokenListDays.SortBound"/>).
/// </summary>
internal readonly record struct TokenListRead(TokenListNarrowing Narrowing, TokenListDays.Range? Range = null, IReadOnlyList<long>? Days = null,
    TokenListBound? SortBound = null);

/// <summary>
/// A position in a sort order that no token of a page sorts beyond (<see cref="TokenListDays.SortBound"/>): the sort key and
/// the id, as the keyset orders them. A walk of the order starts at it, the position itself included.
/// </summary>
internal readonly record struct TokenListBound(long Key, string Id);
