using Tessera.Server.WebConsole;

namespace Tessera.Console.Tests;

/// <summary>How the console words instants: rounded to the largest unit, exact UTC on hover.</summary>
public sealed class RelativeTimeTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(30 * 24 * 3600 - 1, "in 30 days")]
    [InlineData(29 * 24 * 3600 + 3600, "in 29 days")]
    [InlineData(36 * 3600, "in 2 days")]
    [InlineData(5 * 3600 + 1200, "in 5 hours")]
    [InlineData(90, "in 2 minutes")]
    [InlineData(20, "in less than a minute")]
    [InlineData(-20, "just now")]
    [InlineData(-3600, "1 hour ago")]
    [InlineData(-400 * 24 * 3600, "13 months ago")]
    [InlineData(-1000 * 24 * 3600, "3 years ago")]
    public void Relative_times_are_rounded_to_the_largest_unit(int seconds, string expected) =>
        Assert.Equal(expected, ConsoleHtml.Relative(Now.AddSeconds(seconds), Now));

    [Fact]
    public void Spans_and_exact_instants_read_plainly()
    {
        Assert.Equal("30 days", ConsoleHtml.Span(TimeSpan.FromDays(30)));
        Assert.Equal("5 seconds", ConsoleHtml.Span(TimeSpan.FromSeconds(5)));
        Assert.Equal("1 hour", ConsoleHtml.Span(TimeSpan.FromHours(1)));
        Assert.Equal("30 Dec 2026, 12:00:00 UTC", ConsoleHtml.Exact(Now.AddDays(30)));
    }
}
