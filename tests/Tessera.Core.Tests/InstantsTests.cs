namespace Tessera.Core.Tests;

public sealed class InstantsTests
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("2026-12-01T12:00:00Z")]
    [InlineData("2026-12-01t12:00:00z")]
    [InlineData("2026-12-01T12:00:00z")]
    [InlineData("2026-12-01t12:00:00Z")]
    [InlineData("2026-12-01T12:00:00+00:00")]
    [InlineData("2026-12-01T12:00:00-00:00")]
    [InlineData("2026-12-01T14:00:00+02:00")]
    [InlineData("2026-12-01T06:30:00-05:30")]
    [InlineData("2026-12-02T01:00:00+13:00")]
    [InlineData("2026-12-01T12:00:00.000Z")]
    public void TryParse_accepts_rfc3339_instants_and_converts_them_to_utc(string value)
    {
        Assert.True(Instants.TryParse(value, out var instant));

        Assert.Equal(Noon, instant);
        Assert.Equal(TimeSpan.Zero, instant.Offset);
    }

    [Theory]
    [InlineData("2026-12-01T12:00:00.5Z", 500)]
    [InlineData("2026-12-01T12:00:00.123Z", 123)]
    [InlineData("2026-12-01T12:00:00.1239Z", 123)]
    [InlineData("2026-12-01T12:00:00.1234567Z", 123)]
    [InlineData("2026-12-01T12:00:00.999999Z", 999)]
    [InlineData("2026-12-01T12:00:00.9999999Z", 999)]
    [InlineData("2026-12-01T12:00:00.123456789Z", 123)]
    [InlineData("2026-12-01T14:00:00.4567+02:00", 456)]
    public void TryParse_accepts_a_fraction_and_truncates_it_to_milliseconds(string value, int expectedMilliseconds)
    {
        Assert.True(Instants.TryParse(value, out var instant));

        Assert.Equal(Noon.AddMilliseconds(expectedMilliseconds), instant);
        Assert.Equal(0, instant.Ticks % TimeSpan.TicksPerMillisecond);
    }

    [Theory]
    [InlineData("2026-12-01T12:00:00.99999999Z", 999)]
    [InlineData("2026-12-01T12:00:00.999999999Z", 999)]
    [InlineData("2026-12-31T23:59:59.999999999Z", 999)]
    public void TryParse_truncates_fractions_longer_than_seven_digits_instead_of_rounding_them(string value, int expectedMilliseconds)
    {
        // The pattern accepts up to 9 fraction digits; DateTimeOffset.TryParse alone would round them to 7, carrying into the next second.
        Assert.True(Instants.TryParse(value, out var instant));

        var wholeSecond = DateTimeOffset.Parse(value[..19] + "Z", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(wholeSecond.AddMilliseconds(expectedMilliseconds), instant);
    }

    [Theory]
    [InlineData("2026-12-01T12:00:00")]
    [InlineData("2026-12-01T12:00:00.123")]
    [InlineData("2026-12-01")]
    [InlineData("12:00:00Z")]
    [InlineData("2026-12-01 12:00:00Z")]
    [InlineData("2026-12-01T12:00Z")]
    [InlineData("2026-12-01T12:00:00+0200")]
    [InlineData("2026-12-01T12:00:00 Z")]
    [InlineData(" 2026-12-01T12:00:00Z")]
    [InlineData("2026-12-01T12:00:00Z ")]
    [InlineData("2026-12-01T12:00:00.Z")]
    [InlineData("2026-12-01T12:00:00.1234567890Z")]
    [InlineData("garbage")]
    [InlineData("")]
    [InlineData("1764590400000")]
    [InlineData("Tue, 01 Dec 2026 12:00:00 GMT")]
    [InlineData("٢٠٢٦-١٢-٠١T١٢:٠٠:٠٠Z")]
    [InlineData("2026-12-01T12:00:00EST")]
    [InlineData("2026-13-01T00:00:00Z")]
    [InlineData("2026-02-30T00:00:00Z")]
    [InlineData("2026-12-01T24:00:01Z")]
    [InlineData("2026-12-01T12:60:00Z")]
    [InlineData("+2026-12-01T12:00:00Z")]
    public void TryParse_rejects_values_that_are_not_rfc3339_instants_with_an_offset(string value)
    {
        Assert.True(Instants.TryParse("2026-12-01T12:00:00Z", out _));

        Assert.False(Instants.TryParse(value, out var instant));
        Assert.Equal(default, instant);
    }

    [Fact]
    public void TryParse_rejects_null()
    {
        Assert.False(Instants.TryParse(null, out _));
    }

    [Theory]
    [InlineData(2026, 12, 1, 12, 0, 0, 0, "2026-12-01T12:00:00.000Z")]
    [InlineData(2026, 1, 2, 3, 4, 5, 6, "2026-01-02T03:04:05.006Z")]
    [InlineData(1999, 12, 31, 23, 59, 59, 999, "1999-12-31T23:59:59.999Z")]
    public void Format_writes_utc_with_milliseconds_and_a_z(int y, int mo, int d, int h, int mi, int s, int ms, string expected)
    {
        Assert.Equal(expected, Instants.Format(new DateTimeOffset(y, mo, d, h, mi, s, ms, TimeSpan.Zero)));
    }

    [Fact]
    public void Format_converts_an_offset_instant_to_utc()
    {
        var local = new DateTimeOffset(2026, 12, 1, 14, 0, 0, 250, TimeSpan.FromHours(2));

        Assert.Equal("2026-12-01T12:00:00.250Z", Instants.Format(local));
    }

    [Fact]
    public void Format_and_TryParse_round_trip()
    {
        var instant = new DateTimeOffset(2026, 7, 4, 9, 8, 7, 654, TimeSpan.Zero);

        Assert.True(Instants.TryParse(Instants.Format(instant), out var parsed));

        Assert.Equal(instant, parsed);
    }

    [Fact]
    public void Truncate_drops_sub_millisecond_ticks()
    {
        var value = Noon.AddTicks(1_234_5678);

        Assert.Equal(Noon.AddMilliseconds(1234), Instants.Truncate(value));
    }

    [Fact]
    public void Now_is_the_time_providers_instant_truncated_to_milliseconds()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Noon.AddTicks(4_999));

        Assert.Equal(Noon, Instants.Now(time));

        time.Advance(TimeSpan.FromTicks(5_001));

        Assert.Equal(Noon.AddMilliseconds(1), Instants.Now(time));
    }
}
