namespace Tessera.Contracts;

/// <summary>A complete (unpaged) list.</summary>
/// <param name="Items">The items.</param>
public sealed record ItemsResponse<T>(IReadOnlyList<T> Items);
