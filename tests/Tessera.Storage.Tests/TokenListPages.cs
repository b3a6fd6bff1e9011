using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Storage.Sql;

namespace Tessera.Storage.Tests;

/// <summary>
/// Two token stores that read a list's pages in different ways must give the same pages: the first five of each list
/// (the first page and four after a cursor), token for token.
/// </summary>
internal static class TokenListPages
{
    /// <summary>
    /// Compares <paramref name="expected"/>'s and <paramref name="actual"/>'s first five pages of every range in
    /// <paramref name="ranges"/> under each sort; answers how many tokens the lists gave. No list may be empty.
    /// </summary>
    public static async Task<int> AssertSameAsync(SqlTokenStore expected, SqlTokenStore actual, string account, IEnumerable<TokenQuery> ranges,
        DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        var tokens = 0;
        foreach (var range in ranges)
        {
            foreach (var sort in Enum.GetValues<TokenSort>())
            {
                var query = range with { Sort = sort, Now = now, Limit = limit };
                var want = await FirstAsync(expected, account, query, cancellationToken);
                var got = await FirstAsync(actual, account, query, cancellationToken);
                Assert.True(want.SequenceEqual(got), $"{TokenListCombinations.Label(query)}:\n  expected {string.Join(",", want)}\n  actual   {string.Join(",", got)}");
                Assert.True(want.Count > 0, $"{TokenListCombinations.Label(query)}: no token listed");
                tokens += want.Count;
            }
        }
        return tokens;
    }

    /// <summary>The tokens of the list's first five pages, page after page, in the order the pages gave them.</summary>
    private static async Task<List<string>> FirstAsync(SqlTokenStore store, string account, TokenQuery query, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        var page = await store.ListTokensAsync(account, query, cancellationToken);
        for (var n = 1; ; n++)
        {
            ids.AddRange(page.Items.Select(t => t.Id));
            if (!page.HasMore || n == 5)
            {
                return ids;
            }
            page = await store.ListTokensAsync(account, TokenListCombinations.CursorPage(query, page.Items[^1]), cancellationToken);
        }
    }
}
