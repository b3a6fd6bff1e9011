namespace Tessera.Core.Storage;

/// <summary>One page of a keyset-paged list; <see cref="HasMore"/> says whether rows follow the last item.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, bool HasMore);
