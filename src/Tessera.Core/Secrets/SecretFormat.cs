using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;

namespace Tessera.Core.Secrets;

/// <summary>
/// The secret format of API.md §1: <c>prefix + base62(32 random bytes, 43 chars) + base62(CRC-32, 6 chars)</c>,
/// 53 characters in all. Shape and checksum are checked here, before any storage is consulted.
/// </summary>
public static class SecretFormat
{
    public const string LicenseKeyPrefix = "tsl_";
    public const string QueryTokenPrefix = "tsq_";
    public const string InvitationPrefix = "tsi_";
    public const int PrefixLength = 4;
    public const int BodyLength = 43;
    public const int ChecksumLength = 6;
    public const int Length = PrefixLength + BodyLength + ChecksumLength;
    public const int RandomBytes = 32;

    public static string PrefixOf(SecretKind kind) => kind switch
    {
        SecretKind.LicenseKey => LicenseKeyPrefix,
        SecretKind.QueryToken => QueryTokenPrefix,
        _ => InvitationPrefix,
    };

    /// <summary>Generates a new secret of the given kind from a CSPRNG.</summary>
    public static string Generate(SecretKind kind)
    {
        Span<byte> random = stackalloc byte[RandomBytes];
        RandomNumberGenerator.Fill(random);
        return Compose(kind, random);
    }

    /// <summary>Builds the secret for given body bytes (deterministic; tests use it for known vectors).</summary>
    public static string Compose(SecretKind kind, ReadOnlySpan<byte> body)
    {
        if (body.Length != RandomBytes)
        {
            throw new ArgumentException($"The body is {RandomBytes} bytes.", nameof(body));
        }
        Span<char> secret = stackalloc char[Length];
        PrefixOf(kind).CopyTo(secret);
        if (!Base62.TryEncode(body, secret.Slice(PrefixLength, BodyLength)))
        {
            throw new InvalidOperationException("32 bytes always fit in 43 base62 digits.");
        }
        Base62.Encode(Checksum(secret[..(PrefixLength + BodyLength)]), secret[(PrefixLength + BodyLength)..]);
        return new string(secret);
    }

    /// <summary>True when <paramref name="value"/> has the shape and checksum of a secret of <paramref name="kind"/>.</summary>
    public static bool IsWellFormed(ReadOnlySpan<char> value, SecretKind kind)
    {
        Span<byte> ascii = stackalloc byte[Length];
        return TryEncodeWellFormed(value, kind, ascii);
    }

    /// <summary>
    /// True when <paramref name="value"/> is well-formed (as <see cref="IsWellFormed"/>), with its
    /// <see cref="SecretHash"/>: the ASCII text is encoded once, on the stack, for both the checksum and SHA-256.
    /// </summary>
    public static bool TryHash(ReadOnlySpan<char> value, SecretKind kind, out SecretHash hash)
    {
        Span<byte> ascii = stackalloc byte[Length];
        if (!TryEncodeWellFormed(value, kind, ascii))
        {
            hash = default;
            return false;
        }
        hash = SecretHash.OfAscii(ascii);
        return true;
    }

    /// <summary>Checks shape and checksum, leaving the ASCII bytes of <paramref name="value"/> in <paramref name="ascii"/>.</summary>
    private static bool TryEncodeWellFormed(ReadOnlySpan<char> value, SecretKind kind, Span<byte> ascii)
    {
        if (value.Length != Length || !value.StartsWith(PrefixOf(kind), StringComparison.Ordinal))
        {
            return false;
        }
        // Every character after the prefix is a base62 digit, so the whole value is ASCII.
        if (value[PrefixLength..].ContainsAnyExcept(Base62.Digits))
        {
            return false;
        }
        Ascii.FromUtf16(value, ascii, out _);
        // The body must also be a 32-byte number: 43 base62 digits can exceed 2^256.
        return Base62.Decode(value[(PrefixLength + BodyLength)..]) == Crc32.HashToUInt32(ascii[..(PrefixLength + BodyLength)]) &&
            BodyFitsIn32Bytes(value.Slice(PrefixLength, BodyLength));
    }

    /// <summary>What lists show instead of a secret: the prefix, an ellipsis and the last 4 characters.</summary>
    public static string Hint(ReadOnlySpan<char> secret) => string.Concat(secret[..PrefixLength], "…", secret[^4..]);

    private static uint Checksum(ReadOnlySpan<char> prefixAndBody)
    {
        Span<byte> ascii = stackalloc byte[prefixAndBody.Length];
        Encoding.ASCII.GetBytes(prefixAndBody, ascii);
        return Crc32.HashToUInt32(ascii);
    }

    private static bool BodyFitsIn32Bytes(ReadOnlySpan<char> digits)
    {
        // Compare against base62(2^256 - 1), the largest 43-digit body the generator can produce.
        return digits.SequenceCompareTo(MaxBody) <= 0;
    }

    private static readonly string MaxBody = ComputeMaxBody();

    private static string ComputeMaxBody()
    {
        Span<byte> max = stackalloc byte[RandomBytes];
        max.Fill(0xFF);
        Span<char> digits = stackalloc char[BodyLength];
        Base62.TryEncode(max, digits);
        return new string(digits);
    }
}
