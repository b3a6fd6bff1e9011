using System.Buffers;

namespace Tessera.Core.Secrets;

/// <summary>Base62 (<c>0-9A-Za-z</c>) of big-endian unsigned integers, left-padded to a fixed width.</summary>
internal static class Base62
{
    public const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>The alphabet as a vectorized set: a whole secret is checked in a few instructions.</summary>
    public static readonly SearchValues<char> Digits = SearchValues.Create(Alphabet);

    /// <summary>Writes <paramref name="bigEndian"/> as base62 into <paramref name="destination"/>, padded with '0'.</summary>
    /// <returns>false when the number needs more digits than the destination holds.</returns>
    public static bool TryEncode(ReadOnlySpan<byte> bigEndian, Span<char> destination)
    {
        Span<byte> number = stackalloc byte[bigEndian.Length];
        bigEndian.CopyTo(number);
        var start = 0;
        for (var pos = destination.Length - 1; pos >= 0; pos--)
        {
            // Long division of the remaining number by 62; the remainder is the next digit.
            var remainder = 0;
            for (var i = start; i < number.Length; i++)
            {
                var acc = (remainder << 8) | number[i];
                number[i] = (byte)(acc / 62);
                remainder = acc % 62;
            }
            destination[pos] = Alphabet[remainder];
            while (start < number.Length && number[start] == 0)
            {
                start++;
            }
        }
        return start == number.Length;
    }

    public static void Encode(uint value, Span<char> destination)
    {
        for (var pos = destination.Length - 1; pos >= 0; pos--)
        {
            destination[pos] = Alphabet[(int)(value % 62)];
            value /= 62;
        }
    }

    /// <summary>The value of digits already known to be base62 (see <see cref="Digits"/>); at most 10 of them fit.</summary>
    public static ulong Decode(ReadOnlySpan<char> digits)
    {
        ulong value = 0;
        foreach (var c in digits)
        {
            value = value * 62 + (ulong)(c switch
            {
                <= '9' => c - '0',
                <= 'Z' => c - 'A' + 10,
                _ => c - 'a' + 36,
            });
        }
        return value;
    }
}
