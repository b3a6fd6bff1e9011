using System.Reflection;
using Tessera.Core.Storage;
using Tessera.Storage.Sql;

namespace Tessera.Storage.Tests;

public sealed class TokenListCombinationsTests
{
    /// <summary>
    /// A filter added to <see cref="TokenQuery"/> without a dimension in <see cref="TokenListCombinations"/> would never be
    /// planned or timed: every settable member must take more than one value across the combinations (or their cursor pages).
    /// </summary>
    [Fact]
    public void The_combinations_vary_every_member_of_a_token_query()
    {
        var values = new TokenListCombinations.Values("wl_" + new string('1', 32), ["ab", "abc"], DateTimeOffset.UnixEpoch.AddDays(1),
            DateTimeOffset.UnixEpoch.AddDays(2), DateTimeOffset.UnixEpoch.AddDays(3), DateTimeOffset.UnixEpoch.AddDays(4));
        var last = Core.Tokens.QueryToken.Issue("acct_" + new string('1', 32), "name", "", null,
            Core.Secrets.SecretFormat.Generate(Core.Secrets.SecretKind.QueryToken), DateTimeOffset.UnixEpoch, TimeSpan.FromDays(1));
        var queries = TokenListCombinations.FirstPages(values).SelectMany(q => new[] { q, TokenListCombinations.CursorPage(q, last) }).ToList();

        // Now is the evaluation instant, Limit the page size: neither selects rows differently.
        var members = typeof(TokenQuery).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is not null && p.Name is not nameof(TokenQuery.Now) and not nameof(TokenQuery.Limit)).ToList();
        Assert.True(members.Count >= 10, string.Join(", ", members.Select(m => m.Name)));
        foreach (var member in members)
        {
            var distinct = queries.Select(q => member.GetValue(q)).Distinct().Count();
            Assert.True(distinct > 1, $"TokenQuery.{member.Name} has one value in every combination");
        }
        foreach (var sort in Enum.GetValues<Core.Tokens.TokenSort>())
        {
            Assert.Contains(queries, q => q.Sort == sort);
        }
        foreach (var state in Enum.GetValues<Core.Tokens.TokenState>())
        {
            Assert.Contains(queries, q => q.State == state);
        }
    }
}
