using System.Runtime.CompilerServices;
using Tessera.Core.Validation;

namespace Tessera.Core.Storage;

/// <summary>
/// The page a caller asks of a keyset-paged list (tokens, workloads, webhook endpoints and deliveries, the audit
/// trail): how many items, and the opaque cursor a previous page returned (null for the first page). The bounds of a
/// limit and the words refusing one live here only.
/// </summary>
public sealed record PageRequest(int Limit, string? Cursor = null)
{
    public const int MinLimit = 1;
    public const int MaxLimit = 200;
    public const int DefaultLimit = 50;

    /// <summary>The first page of the largest size: what a caller draining a whole list asks for.</summary>
    public static PageRequest Largest(string? cursor = null) => new(MaxLimit, cursor);

    /// <summary>Adds the refusal of a limit out of bounds to <paramref name="errors"/> (a list with more query fields checks them all at once).</summary>
    public void Check(ValidationErrors errors)
    {
        if (Limit is < MinLimit or > MaxLimit)
        {
            errors.Add("limit", $"Must be between {MinLimit} and {MaxLimit}.");
        }
    }

    /// <summary>Refuses a limit out of bounds with 400 invalid_query.</summary>
    public void EnsureValid()
    {
        var errors = new ValidationErrors();
        Check(errors);
        errors.ThrowIfAny(ErrorCodes.InvalidQuery, ProblemKind.BadRequest);
    }

    /// <summary>The keyset position the cursor names in <paramref name="list"/> sorted by <paramref name="sort"/> (400 invalid_cursor for another's), or null.</summary>
    public ListCursor? After(string list, string sort, string idPrefix) => Cursor is null ? null : ListCursor.Decode(Cursor, list, sort, idPrefix);

    /// <summary>Every item of a list, read page after page of the largest size through <paramref name="list"/> (a use case's list).</summary>
    public static async IAsyncEnumerable<T> AllAsync<T>(Func<PageRequest, CancellationToken, Task<Page<T>>> list,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? cursor = null;
        do
        {
            var page = await list(Largest(cursor), cancellationToken);
            foreach (var item in page.Items)
            {
                yield return item;
            }
            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }
}
