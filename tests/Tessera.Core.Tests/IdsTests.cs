using System.Text.RegularExpressions;

namespace Tessera.Core.Tests;

public sealed class IdsTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(Ids.Account)]
    [InlineData(Ids.LicenseKey)]
    [InlineData(Ids.Workload)]
    [InlineData(Ids.Token)]
    public void New_is_the_prefix_and_32_lowercase_hex_digits(string prefix)
    {
        var id = Ids.New(prefix, Start);

        Assert.Matches(new Regex("^" + Regex.Escape(prefix) + "[0-9a-f]{32}$"), id);
        Assert.True(Ids.IsWellFormed(prefix, id));
    }

    [Fact]
    public void Ids_made_at_the_same_instant_are_distinct()
    {
        var ids = Enumerable.Range(0, 100).Select(_ => Ids.New(Ids.Token, Start)).ToList();

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Ids_made_at_increasing_instants_sort_ordinally_in_time_order()
    {
        var steps = new[]
        {
            TimeSpan.Zero, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(2), TimeSpan.FromSeconds(1),
            TimeSpan.FromMinutes(1), TimeSpan.FromHours(5), TimeSpan.FromDays(1), TimeSpan.FromDays(400), TimeSpan.FromDays(4000),
        };
        var inTimeOrder = steps.Select(step => Ids.New(Ids.Token, Start + step)).ToList();

        var sorted = inTimeOrder.Order(StringComparer.Ordinal).ToList();

        Assert.Equal(inTimeOrder, sorted);
    }

    [Fact]
    public void IsWellFormed_accepts_a_generated_id_before_rejecting_bad_ones()
    {
        var id = Ids.New(Ids.Workload, Start);
        Assert.True(Ids.IsWellFormed(Ids.Workload, id));

        Assert.False(Ids.IsWellFormed(Ids.Workload, null));
        Assert.False(Ids.IsWellFormed(Ids.Workload, ""));
        Assert.False(Ids.IsWellFormed(Ids.Token, id));
        Assert.False(Ids.IsWellFormed(Ids.Workload, "WL_" + id[3..]));
        Assert.False(Ids.IsWellFormed(Ids.Workload, id.ToUpperInvariant()));
        Assert.False(Ids.IsWellFormed(Ids.Workload, "wl_" + id[3..].ToUpperInvariant()));
        Assert.False(Ids.IsWellFormed(Ids.Workload, id[..^1]));
        Assert.False(Ids.IsWellFormed(Ids.Workload, id + "0"));
        Assert.False(Ids.IsWellFormed(Ids.Workload, id[..^1] + "g"));
        Assert.False(Ids.IsWellFormed(Ids.Workload, id[..^1] + "-"));
        Assert.False(Ids.IsWellFormed(Ids.Workload, id[..^1] + "٣"));
        Assert.False(Ids.IsWellFormed(Ids.Workload, "wl_" + Guid.CreateVersion7(Start).ToString("D")));
    }

    [Fact]
    public void IsWellFormed_rejects_uppercase_hex_in_any_single_position()
    {
        const string id = "tok_0190f5a2b3c47def8abc0123456789ab";
        Assert.True(Ids.IsWellFormed(Ids.Token, id));

        for (var i = Ids.Token.Length; i < id.Length; i++)
        {
            if (id[i] is >= 'a' and <= 'f')
            {
                var upper = id[..i] + char.ToUpperInvariant(id[i]) + id[(i + 1)..];
                Assert.False(Ids.IsWellFormed(Ids.Token, upper), upper);
            }
        }
    }
}
