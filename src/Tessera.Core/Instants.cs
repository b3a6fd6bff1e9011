using System.Globalization;
using System.Text.RegularExpressions;

namespace Tessera.Core;

/// <summary>
/// Tessera keeps instants at millisecond precision, the precision it stores, so an object read back
/// equals the one that was returned when it was written.
/// </summary>
public static partial class Instants
{
    public static DateTimeOffset Now(TimeProvider time) => Truncate(time.GetUtcNow());

    /// <summary>
    /// <paramref name="span"/> in <paramref name="time"/>'s timestamp units (those of <see cref="TimeProvider.GetTimestamp"/>),
    /// saturating at <see cref="long.MaxValue"/>: the monotonic windows (trust, grace, breaks, TTLs) are compared with
    /// timestamp differences of the one injected clock, so a test's FakeTimeProvider moves them all (ADR 0023).
    /// </summary>
    public static long TimestampSpan(this TimeProvider time, TimeSpan span)
    {
        var units = span.Ticks * ((double)time.TimestampFrequency / TimeSpan.TicksPerSecond);
        return units >= long.MaxValue ? long.MaxValue : (long)units;
    }

    public static DateTimeOffset Truncate(DateTimeOffset value) =>
        DateTimeOffset.FromUnixTimeMilliseconds(value.ToUnixTimeMilliseconds());

    /// <summary>
    /// Parses an RFC 3339 instant (date, time, optional fraction, and a Z or numeric offset: an
    /// instant without an offset is ambiguous and refused).
    /// </summary>
    public static bool TryParse(string? value, out DateTimeOffset instant)
    {
        instant = default;
        if (value is null || value.Length > 40 || !Rfc3339Pattern().IsMatch(value))
        {
            return false;
        }
        // Keep at most milliseconds before parsing: the parser rounds long fractions to 100 ns, which can
        // carry into the next second (.9999999999 → +1 s); Tessera truncates.
        if (value.Length > 23 && value[19] == '.')
        {
            var end = 20;
            while (end < value.Length && char.IsAsciiDigit(value[end]))
            {
                end++;
            }
            value = string.Concat(value.AsSpan(0, Math.Min(end, 23)), value.AsSpan(end));
        }
        if (!DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return false;
        }
        instant = Truncate(parsed.ToUniversalTime());
        return true;
    }

    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})$", RegexOptions.CultureInvariant, 100)]
    private static partial Regex Rfc3339Pattern();
}
