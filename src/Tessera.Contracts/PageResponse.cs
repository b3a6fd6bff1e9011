namespace Tessera.Contracts;

/// <summary>One page of a list.</summary>
/// <param name="Items">The items of this page.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> to get the next page; null on the last page.</param>
public sealed record PageResponse<T>(IReadOnlyList<T> Items, string? NextCursor);
