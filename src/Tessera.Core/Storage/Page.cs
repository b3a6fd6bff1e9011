namespace Tessera.Core.Storage;

/// <summary>
/// One page of a keyset-paged list. A store answers the items and whether rows follow the last one
/// (<see cref="HasMore"/>); the use case, which owns the list's cursor, adds <see cref="NextCursor"/>
/// (<see cref="WithCursor"/>). Callers deconstruct it as <c>var (items, nextCursor) = …</c>.
/// </summary>
public sealed record Page<T>
{
    public Page(IReadOnlyList<T> items, bool hasMore)
    {
        Items = items;
        HasMore = hasMore;
    }

    public IReadOnlyList<T> Items { get; init; }

    /// <summary>Whether rows follow the last item.</summary>
    public bool HasMore { get; init; }

    /// <summary>The opaque cursor of the next page; null on the last page (or before the use case set it).</summary>
    public string? NextCursor { get; init; }

    /// <summary>This page with the cursor after its last item, when more follow.</summary>
    public Page<T> WithCursor(Func<T, ListCursor> cursorAfter) =>
        this with { NextCursor = HasMore ? cursorAfter(Items[^1]).Encode() : null };

    /// <summary>What a caller pages with: the items and the next page's cursor.</summary>
    public void Deconstruct(out IReadOnlyList<T> items, out string? nextCursor) => (items, nextCursor) = (Items, NextCursor);
}
