using Tessera.Core;
using Tessera.Core.Accounts;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Core.Workloads;

namespace Tessera.Storage.Tests;

/// <summary>One test body, two databases: <see cref="OnSqlite"/> and <see cref="OnPostgres"/>.</summary>
public abstract class TokenListTests(string provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : TokenListTests(TempDatabase.Sqlite);

    public sealed class OnPostgres() : TokenListTests(TempDatabase.Postgres);

    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The instant every list is evaluated at.</summary>
    private static readonly DateTimeOffset Now = T0.AddDays(10);

    private static readonly string[] Twins = ["t1", "t2", "t3", "t4", "t5", "t6"];

    private static readonly Seed[] Seeds =
    [
        new("a01", "Alice", "W1", Minutes(1), Days(30), Cancelled: false, UsedAfter: Days(9)),
        new("a02", "alice", "W1", Minutes(2), Days(30), Cancelled: false, UsedAfter: Days(8)),
        new("a03", "ALICE", "W2", Minutes(3), Days(30), Cancelled: false, UsedAfter: Days(9)),
        new("a04", "Bob", "W2", Minutes(4), Days(5), Cancelled: false, UsedAfter: null),
        new("a05", "Bob", null, Minutes(5), Days(30), Cancelled: false, UsedAfter: null),
        new("a06", "Carol", null, Minutes(6), Days(5), Cancelled: false, UsedAfter: null),
        new("a07", "Carol", "W1", Minutes(7), Days(30), Cancelled: true, UsedAfter: null),
        new("a08", "Dave", "W1", Minutes(8), Days(5), Cancelled: true, UsedAfter: null),
        new("a09", "Dave", null, Minutes(9), Days(30), Cancelled: true, UsedAfter: null),
        new("a10", "100% sure", "W1", Minutes(10), Days(30), Cancelled: false, UsedAfter: TimeSpan.FromHours(1)),
        new("a11", "100 percent", "W2", Minutes(11), Days(30), Cancelled: false, UsedAfter: null),
        new("a12", "snake_case", "W1", Minutes(12), Days(30), Cancelled: false, UsedAfter: null),
        new("a13", "snakeXcase", "W1", Minutes(13), Days(30), Cancelled: false, UsedAfter: null),
        new("a14", "Émile", "W2", Minutes(14), Days(30), Cancelled: false, UsedAfter: null),
        new("a15", @"C:\path", "W1", Minutes(15), Days(30), Cancelled: false, UsedAfter: null),
        // Six tokens with equal created, expires and (folded) name keys; three also share lastUsedAt.
        new("t1", "Twin", "W2", Minutes(20), Days(30), Cancelled: false, UsedAfter: Days(7)),
        new("t2", "Twin", "W2", Minutes(20), Days(30), Cancelled: false, UsedAfter: Days(7)),
        new("t3", "twin", "W2", Minutes(20), Days(30), Cancelled: false, UsedAfter: Days(7)),
        new("t4", "twin", "W2", Minutes(20), Days(30), Cancelled: false, UsedAfter: null),
        new("t5", "TWIN", "W2", Minutes(20), Days(30), Cancelled: false, UsedAfter: null),
        new("t6", "TWIN", "W2", Minutes(20), Days(30), Cancelled: false, UsedAfter: null),
        // Expires exactly at Now (expired), and one millisecond after it (usable).
        new("a21", "Zed", null, Minutes(30), Days(10) - Minutes(30), Cancelled: false, UsedAfter: null),
        new("a22", "Yara", "W1", Minutes(31), Days(10) - Minutes(31) + TimeSpan.FromMilliseconds(1), Cancelled: false, UsedAfter: null),
        new("a23", "Xena", "W2", Days(1), Days(30), Cancelled: false, UsedAfter: null),
        new("a24", "Walt", "W1", Days(2), Days(30), Cancelled: false, UsedAfter: null),
        new("a25", "Vic", null, Days(3), Days(30), Cancelled: false, UsedAfter: null),
    ];

    // Another account's tokens share names, instants and usage with the ones above and must never show up.
    private static readonly Seed[] OtherSeeds =
    [
        new("b01", "Alice", "WB", Minutes(1), Days(30), Cancelled: false, UsedAfter: Days(9)),
        new("b02", "Twin", "WB", Minutes(20), Days(30), Cancelled: false, UsedAfter: Days(7)),
        new("b03", "twin", null, Minutes(20), Days(30), Cancelled: false, UsedAfter: null),
        new("b04", "100% sure", null, Minutes(10), Days(5), Cancelled: false, UsedAfter: null),
        new("b05", "snake_case", "WB", Minutes(12), Days(30), Cancelled: true, UsedAfter: null),
        new("b06", "Zed", null, Minutes(30), Days(10) - Minutes(30), Cancelled: false, UsedAfter: null),
    ];

    private TempDatabase _db = null!;
    private Account _account = null!;
    private readonly Dictionary<string, Workload> _workloads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, QueryToken> _byLabel = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _labelById = new(StringComparer.Ordinal);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string[] AllLabels => [.. Seeds.Select(s => s.Label)];

    public static TheoryData<TokenSort> Sorts => [TokenSort.CreatedAt, TokenSort.ExpiresAt, TokenSort.Name, TokenSort.LastUsedAt];

    public static TheoryData<TokenSort, int> SortsAndLimits
    {
        get
        {
            var data = new TheoryData<TokenSort, int>();
            foreach (var sort in Enum.GetValues<TokenSort>())
            {
                foreach (var limit in new[] { 1, 4, 6, 13 })
                {
                    data.Add(sort, limit);
                }
            }
            return data;
        }
    }

    public async ValueTask InitializeAsync()
    {
        _db = await TempDatabase.CreateMigratedAsync(provider, Ct);
        _account = await _db.AddAccountAsync("Provider", T0, Ct);
        var other = await _db.AddAccountAsync("Other provider", T0, Ct);
        _workloads["W1"] = await _db.AddWorkloadAsync(_account.Id, "Llama", T0, Ct);
        _workloads["W2"] = await _db.AddWorkloadAsync(_account.Id, "Mistral", T0, Ct);
        _workloads["WB"] = await _db.AddWorkloadAsync(other.Id, "Llama", T0, Ct);

        foreach (var (seeds, accountId) in new[] { (Seeds, _account.Id), (OtherSeeds, other.Id) })
        {
            foreach (var seed in seeds)
            {
                var created = T0 + seed.CreatedAfter;
                var token = await _db.AddTokenAsync(accountId, seed.Name, seed.Workload is null ? null : _workloads[seed.Workload].Id,
                    created, seed.Lifetime, seed.Cancelled, Ct);
                if (seed.UsedAfter is { } used)
                {
                    await _db.Tokens.RecordUsageAsync([new TokenUsage(token.Id, 1, T0 + used)], Ct);
                }
                _labelById[token.Id] = seed.Label;
            }
        }
        foreach (var seed in Seeds)
        {
            var id = _labelById.Single(p => p.Value == seed.Label).Key;
            _byLabel[seed.Label] = (await _db.Tokens.GetTokenAsync(_account.Id, id, Ct))!;
        }
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task Without_filters_every_token_of_the_account_is_listed_and_no_other()
    {
        Assert.Equal(26, Seeds.Length);

        Assert.Equal(AllLabels.Order(StringComparer.Ordinal), await ListLabelsAsync(new TokenQuery()));
    }

    [Fact]
    public void The_seeded_tokens_have_the_intended_states_at_now()
    {
        Assert.Equal(TokenState.Unassigned, _byLabel["a21"].StateAt(Now.AddMilliseconds(-1)));
        Assert.Equal(TokenState.Expired, _byLabel["a21"].StateAt(Now));
        Assert.Equal(TokenState.Usable, _byLabel["a22"].StateAt(Now));
        Assert.Equal(TokenState.Expired, _byLabel["a22"].StateAt(Now.AddMilliseconds(1)));
        Assert.Equal(T0.AddDays(9), _byLabel["a01"].LastUsedAt);
        Assert.Null(_byLabel["t4"].LastUsedAt);
    }

    [Fact]
    public async Task Filter_by_workload()
    {
        Assert.Equal(["a01", "a02", "a07", "a08", "a10", "a12", "a13", "a15", "a22", "a24"],
            await ListLabelsAsync(new TokenQuery { WorkloadId = _workloads["W1"].Id }));
        Assert.Equal(["a03", "a04", "a11", "a14", "a23", .. Twins],
            await ListLabelsAsync(new TokenQuery { WorkloadId = _workloads["W2"].Id }));
    }

    [Fact]
    public async Task Filter_by_another_accounts_workload_finds_nothing()
    {
        Assert.Empty(await ListLabelsAsync(new TokenQuery { WorkloadId = _workloads["WB"].Id }));
    }

    [Fact]
    public async Task Filter_unassigned_only()
    {
        Assert.Equal(["a05", "a06", "a09", "a21", "a25"], await ListLabelsAsync(new TokenQuery { UnassignedOnly = true }));
    }

    [Fact]
    public async Task Filter_by_status()
    {
        string[] cancelled = ["a07", "a08", "a09"];

        Assert.Equal(cancelled, await ListLabelsAsync(new TokenQuery { Status = TokenStatus.Cancelled }));
        Assert.Equal(AllLabels.Except(cancelled).Order(StringComparer.Ordinal), await ListLabelsAsync(new TokenQuery { Status = TokenStatus.Active }));
    }

    [Fact]
    public async Task Filter_by_each_state()
    {
        string[] usable = ["a01", "a02", "a03", "a10", "a11", "a12", "a13", "a14", "a15", "a22", "a23", "a24", .. Twins];

        Assert.Equal(["a07", "a08", "a09"], await ListLabelsAsync(new TokenQuery { State = TokenState.Cancelled }));
        Assert.Equal(["a04", "a06", "a21"], await ListLabelsAsync(new TokenQuery { State = TokenState.Expired }));
        Assert.Equal(["a05", "a25"], await ListLabelsAsync(new TokenQuery { State = TokenState.Unassigned }));
        Assert.Equal(usable.Order(StringComparer.Ordinal), await ListLabelsAsync(new TokenQuery { State = TokenState.Usable }));
    }

    [Fact]
    public async Task Each_state_filter_agrees_with_the_domains_derived_state()
    {
        foreach (var state in Enum.GetValues<TokenState>())
        {
            var expected = _byLabel.Where(p => p.Value.StateAt(Now) == state).Select(p => p.Key).Order(StringComparer.Ordinal);

            Assert.Equal(expected, await ListLabelsAsync(new TokenQuery { State = state }));
        }
    }

    [Fact]
    public async Task The_state_filter_is_evaluated_at_the_querys_now()
    {
        var oneMsEarlier = Now.AddMilliseconds(-1);

        Assert.DoesNotContain("a21", await ListLabelsAsync(new TokenQuery { State = TokenState.Expired, Now = oneMsEarlier }));
        Assert.Contains("a21", await ListLabelsAsync(new TokenQuery { State = TokenState.Unassigned, Now = oneMsEarlier }));
        Assert.Contains("a22", await ListLabelsAsync(new TokenQuery { State = TokenState.Expired, Now = Now.AddMilliseconds(1) }));
    }

    [Theory]
    [InlineData("aLiCe", new[] { "a01", "a02", "a03" })]
    [InlineData("alice", new[] { "a01", "a02", "a03" })]
    [InlineData("LIC", new[] { "a01", "a02", "a03" })]
    [InlineData("twin", new[] { "t1", "t2", "t3", "t4", "t5", "t6" })]
    [InlineData("100", new[] { "a10", "a11" })]
    [InlineData("100%", new[] { "a10" })]
    [InlineData("% s", new[] { "a10" })]
    [InlineData("e_c", new[] { "a12" })]
    [InlineData(@":\p", new[] { "a15" })]
    [InlineData("émile", new[] { "a14" })]
    [InlineData("nobody", new string[0])]
    public async Task Filter_by_name_contains_is_case_insensitive_and_treats_wildcards_literally(string q, string[] expected)
    {
        Assert.Equal(expected, await ListLabelsAsync(new TokenQuery { NameContains = q }));
    }

    /// <summary>Fewer than three characters match the start of the name (ADR 0012), still case-insensitive and literal.</summary>
    [Theory]
    [InlineData("al", new[] { "a01", "a02", "a03" })]
    [InlineData("SN", new[] { "a12", "a13" })]
    [InlineData("10", new[] { "a10", "a11" })]
    [InlineData(@"c:", new[] { "a15" })]
    [InlineData("é", new[] { "a14" })]
    [InlineData("ce", new string[0])]
    [InlineData("%", new string[0])]
    [InlineData("_", new string[0])]
    [InlineData(@"\", new string[0])]
    [InlineData("0%", new string[0])]
    public async Task A_name_filter_of_one_or_two_characters_matches_the_start_of_the_name(string q, string[] expected)
    {
        Assert.Equal(expected, await ListLabelsAsync(new TokenQuery { NameContains = q }));
    }

    [Fact]
    public async Task Filter_by_name_contains_matches_non_ascii_names_whatever_their_case()
    {
        Assert.Equal(["a14"], await ListLabelsAsync(new TokenQuery { NameContains = "ÉMILE" }));
        Assert.Equal(["a14"], await ListLabelsAsync(new TokenQuery { NameContains = "émile" }));
    }

    [Fact]
    public async Task Created_bounds_are_inclusive_from_and_exclusive_to()
    {
        var twinsCreated = T0 + Minutes(20);

        Assert.Equal(["a21", "a22", "a23", "a24", "a25", .. Twins],
            await ListLabelsAsync(new TokenQuery { CreatedFrom = twinsCreated }));
        Assert.Equal(["a21", "a22", "a23", "a24", "a25"],
            await ListLabelsAsync(new TokenQuery { CreatedFrom = twinsCreated.AddMilliseconds(1) }));
        Assert.Equal(Seeds.Take(15).Select(s => s.Label),
            await ListLabelsAsync(new TokenQuery { CreatedTo = twinsCreated }));
        Assert.Equal(Twins,
            await ListLabelsAsync(new TokenQuery { CreatedFrom = twinsCreated, CreatedTo = T0 + Minutes(30) }));
        Assert.Equal(Twins,
            await ListLabelsAsync(new TokenQuery { CreatedFrom = twinsCreated, CreatedTo = twinsCreated.AddMilliseconds(1) }));
        Assert.Empty(await ListLabelsAsync(new TokenQuery { CreatedFrom = twinsCreated, CreatedTo = twinsCreated }));
    }

    [Fact]
    public async Task Expires_before_is_exclusive()
    {
        Assert.Equal(["a04", "a06", "a08"], await ListLabelsAsync(new TokenQuery { ExpiresBefore = Now }));
        Assert.Equal(["a04", "a06", "a08", "a21"], await ListLabelsAsync(new TokenQuery { ExpiresBefore = Now.AddMilliseconds(1) }));
        Assert.Equal(["a04", "a06", "a08", "a21", "a22"], await ListLabelsAsync(new TokenQuery { ExpiresBefore = Now.AddMilliseconds(2) }));
    }

    [Fact]
    public async Task Filters_combine()
    {
        Assert.Equal(["a06", "a21"], await ListLabelsAsync(new TokenQuery { UnassignedOnly = true, State = TokenState.Expired }));
        Assert.Equal(["a01", "a02"], await ListLabelsAsync(new TokenQuery { WorkloadId = _workloads["W1"].Id, NameContains = "ALICE" }));
        Assert.Equal(["a07", "a08"], await ListLabelsAsync(new TokenQuery { WorkloadId = _workloads["W1"].Id, Status = TokenStatus.Cancelled }));
    }

    [Fact]
    public async Task Sort_by_created_at_is_newest_first_with_ties_by_id_descending()
    {
        string[] expected = ["a25", "a24", "a23", "a22", "a21", .. ByIdDescending(Twins),
            "a15", "a14", "a13", "a12", "a11", "a10", "a09", "a08", "a07", "a06", "a05", "a04", "a03", "a02", "a01"];

        Assert.Equal(expected, await ListInOrderAsync(new TokenQuery { Sort = TokenSort.CreatedAt }));
    }

    [Fact]
    public async Task Sort_by_expires_at_is_soonest_first_with_ties_by_id_ascending()
    {
        string[] expected = ["a04", "a06", "a08", "a21", "a22",
            "a01", "a02", "a03", "a05", "a07", "a09", "a10", "a11", "a12", "a13", "a14", "a15", .. ById(Twins), "a23", "a24", "a25"];

        Assert.Equal(expected, await ListInOrderAsync(new TokenQuery { Sort = TokenSort.ExpiresAt }));
    }

    [Fact]
    public async Task Sort_by_name_is_case_insensitive_a_to_z_with_ties_by_id_ascending()
    {
        string[] expected = ["a11", "a10", .. ById(["a01", "a02", "a03"]), .. ById(["a04", "a05"]), "a15", .. ById(["a06", "a07"]),
            .. ById(["a08", "a09"]), "a12", "a13", .. ById(Twins), "a25", "a24", "a23", "a22", "a21", "a14"];

        Assert.Equal(expected, await ListInOrderAsync(new TokenQuery { Sort = TokenSort.Name }));
    }

    [Fact]
    public async Task Sort_by_last_used_at_is_most_recent_first_with_never_used_last_and_ties_by_id_descending()
    {
        string[] used = ["a01", "a02", "a03", "a10", "t1", "t2", "t3"];
        string[] expected = [.. ByIdDescending(["a01", "a03"]), "a02", .. ByIdDescending(["t1", "t2", "t3"]), "a10",
            .. ByIdDescending(AllLabels.Except(used))];

        Assert.Equal(expected, await ListInOrderAsync(new TokenQuery { Sort = TokenSort.LastUsedAt }));
    }

    [Theory]
    [MemberData(nameof(SortsAndLimits))]
    public async Task Paging_visits_every_token_exactly_once_in_order(TokenSort sort, int limit)
    {
        var whole = await ListInOrderAsync(new TokenQuery { Sort = sort });
        Assert.Equal(Seeds.Length, whole.Count);

        var paged = await PageThroughAsync(new TokenQuery { Sort = sort, Limit = limit });

        Assert.Equal(whole, paged);
    }

    [Theory]
    [MemberData(nameof(Sorts))]
    public async Task Paging_a_filtered_list_of_equal_keys_visits_each_token_exactly_once(TokenSort sort)
    {
        var query = new TokenQuery { Sort = sort, WorkloadId = _workloads["W2"].Id, State = TokenState.Usable, NameContains = "twin" };
        var whole = await ListInOrderAsync(query);
        Assert.Equal(Twins, whole.Order(StringComparer.Ordinal));

        foreach (var limit in new[] { 1, 2, 4, 5, 6 })
        {
            Assert.Equal(whole, await PageThroughAsync(query with { Limit = limit }));
        }
    }

    [Fact]
    public async Task A_page_that_ends_exactly_at_the_last_token_says_there_is_no_more()
    {
        var page = await _db.Tokens.ListTokensAsync(_account.Id, new TokenQuery { Limit = Seeds.Length, Now = Now }, Ct);

        Assert.Equal(Seeds.Length, page.Items.Count);
        Assert.False(page.HasMore);

        var shorter = await _db.Tokens.ListTokensAsync(_account.Id, new TokenQuery { Limit = Seeds.Length - 1, Now = Now }, Ct);
        Assert.True(shorter.HasMore);
    }

    /// <summary>Labels of one page holding everything that matches, sorted by label (for set comparisons).</summary>
    private async Task<List<string>> ListLabelsAsync(TokenQuery query) =>
        [.. (await ListInOrderAsync(query)).Order(StringComparer.Ordinal)];

    /// <summary>Labels of one page holding everything that matches, in the store's order.</summary>
    private async Task<List<string>> ListInOrderAsync(TokenQuery query)
    {
        var page = await _db.Tokens.ListTokensAsync(_account.Id, query with { Limit = 200, Now = query.Now == default ? Now : query.Now }, Ct);
        Assert.False(page.HasMore);
        return [.. page.Items.Select(Label)];
    }

    private async Task<List<string>> PageThroughAsync(TokenQuery query)
    {
        var labels = new List<string>();
        ListCursor? after = null;
        for (var pages = 1; ; pages++)
        {
            Assert.True(pages <= Seeds.Length + 1, "paging terminates");
            var page = await _db.Tokens.ListTokensAsync(_account.Id, query with { After = after, Now = Now }, Ct);
            Assert.InRange(page.Items.Count, 1, query.Limit);
            labels.AddRange(page.Items.Select(Label));
            if (!page.HasMore)
            {
                break;
            }
            Assert.Equal(query.Limit, page.Items.Count);
            // Through the opaque form, as a client would send it back.
            var encoded = TokenService.CursorAfter(page.Items[^1], query.Sort).Encode();
            after = ListCursor.Decode(encoded, "tokens", TokenNames.Of(query.Sort), Ids.Token);
        }
        Assert.Equal(labels.Count, labels.Distinct(StringComparer.Ordinal).Count());
        return labels;
    }

    private string Label(QueryToken token)
    {
        Assert.Equal(_account.Id, token.AccountId);
        return _labelById[token.Id];
    }

    private IEnumerable<string> ById(IEnumerable<string> labels) =>
        labels.OrderBy(l => _byLabel[l].Id, StringComparer.Ordinal);

    private IEnumerable<string> ByIdDescending(IEnumerable<string> labels) =>
        labels.OrderByDescending(l => _byLabel[l].Id, StringComparer.Ordinal);

    private static TimeSpan Minutes(int minutes) => TimeSpan.FromMinutes(minutes);

    private static TimeSpan Days(int days) => TimeSpan.FromDays(days);

    private sealed record Seed(string Label, string Name, string? Workload, TimeSpan CreatedAfter, TimeSpan Lifetime, bool Cancelled, TimeSpan? UsedAfter);
}
