using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Tessera.Core.Secrets;

namespace Tessera.Core.Tests.Secrets;

public sealed class SecretFormatTests
{
    private const string Base62Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    // Known vectors computed independently (Python: int.from_bytes(body, "big") in base62, zlib.crc32 of prefix + body).
    private const string ZerosLicenseKey = "tsl_00000000000000000000000000000000000000000001R8bme";
    private const string ZerosQueryToken = "tsq_00000000000000000000000000000000000000000000nuVkA";
    private const string OnesLicenseKey = "tsl_yhjskwdA6OZ1AL1YmHWZWm8LLG7HjnuCA2j5rOw8Xp14C494W";
    private const string OnesQueryToken = "tsq_yhjskwdA6OZ1AL1YmHWZWm8LLG7HjnuCA2j5rOw8Xp12LsIME";
    private const string RangeLicenseKey = "tsl_003aUlTJC7tjlCTQj2uNU3MFagCXG9LRKRcwGkBIDlf1p0ZVE";
    private const string RangeQueryToken = "tsq_003aUlTJC7tjlCTQj2uNU3MFagCXG9LRKRcwGkBIDlf07wbLm";

    // 43 digits can hold more than 32 bytes: these bodies carry a correct checksum but exceed 2^256 - 1.
    private const string AllZLicenseKey = "tsl_zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz0qCTmP";
    private const string AllZQueryToken = "tsq_zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz1KNicF";
    private const string TwoPow256LicenseKey = "tsl_yhjskwdA6OZ1AL1YmHWZWm8LLG7HjnuCA2j5rOw8Xp22GoEQo";
    private const string TwoPow256QueryToken = "tsq_yhjskwdA6OZ1AL1YmHWZWm8LLG7HjnuCA2j5rOw8Xp20StY4e";

    public static TheoryData<SecretKind> Kinds => [SecretKind.LicenseKey, SecretKind.QueryToken];

    public static TheoryData<SecretKind, string, string> KnownVectors => new()
    {
        { SecretKind.LicenseKey, "zeros", ZerosLicenseKey },
        { SecretKind.QueryToken, "zeros", ZerosQueryToken },
        { SecretKind.LicenseKey, "ones", OnesLicenseKey },
        { SecretKind.QueryToken, "ones", OnesQueryToken },
        { SecretKind.LicenseKey, "range", RangeLicenseKey },
        { SecretKind.QueryToken, "range", RangeQueryToken },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Generate_yields_53_characters_of_the_documented_shape_with_the_kinds_prefix(SecretKind kind)
    {
        var secret = SecretFormat.Generate(kind);

        Assert.Equal(53, secret.Length);
        Assert.Matches(new Regex("^ts[lq]_[0-9A-Za-z]{49}$"), secret);
        Assert.StartsWith(kind == SecretKind.LicenseKey ? "tsl_" : "tsq_", secret, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Generated_secrets_are_well_formed_and_distinct(SecretKind kind)
    {
        var secrets = Enumerable.Range(0, 200).Select(_ => SecretFormat.Generate(kind)).ToList();

        Assert.All(secrets, s => Assert.True(SecretFormat.IsWellFormed(s, kind), s));
        Assert.Equal(secrets.Count, secrets.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [MemberData(nameof(KnownVectors))]
    public void Compose_matches_independently_computed_vectors(SecretKind kind, string bodyName, string expected)
    {
        var body = BodyBytes(bodyName);

        var secret = SecretFormat.Compose(kind, body);

        Assert.Equal(expected, secret);
        Assert.True(SecretFormat.IsWellFormed(expected, kind));
    }

    [Fact]
    public void Compose_refuses_a_body_that_is_not_32_bytes()
    {
        Assert.Throws<ArgumentException>(() => SecretFormat.Compose(SecretKind.QueryToken, new byte[31]));
        Assert.Throws<ArgumentException>(() => SecretFormat.Compose(SecretKind.QueryToken, new byte[33]));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void IsWellFormed_rejects_wrong_lengths(SecretKind kind)
    {
        var valid = SecretFormat.Generate(kind);
        Assert.True(SecretFormat.IsWellFormed(valid, kind));

        Assert.False(SecretFormat.IsWellFormed(valid.AsSpan(0, 52), kind));
        Assert.False(SecretFormat.IsWellFormed(valid + "0", kind));
        Assert.False(SecretFormat.IsWellFormed("", kind));
    }

    [Fact]
    public void IsWellFormed_rejects_a_secret_of_the_other_kind()
    {
        Assert.True(SecretFormat.IsWellFormed(ZerosLicenseKey, SecretKind.LicenseKey));
        Assert.True(SecretFormat.IsWellFormed(ZerosQueryToken, SecretKind.QueryToken));

        Assert.False(SecretFormat.IsWellFormed(ZerosLicenseKey, SecretKind.QueryToken));
        Assert.False(SecretFormat.IsWellFormed(ZerosQueryToken, SecretKind.LicenseKey));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void IsWellFormed_rejects_an_unknown_prefix_even_with_a_matching_checksum(SecretKind kind)
    {
        var forged = WithValidChecksum("tsx_", new string('0', 43));
        Assert.Equal(53, forged.Length);

        Assert.False(SecretFormat.IsWellFormed(forged, kind));
        Assert.False(SecretFormat.IsWellFormed("tsx_" + ZerosQueryToken[4..], kind));
    }

    [Fact]
    public void IsWellFormed_rejects_a_prefix_that_differs_only_in_case()
    {
        Assert.False(SecretFormat.IsWellFormed("TSQ_" + ZerosQueryToken[4..], SecretKind.QueryToken));
    }

    [Theory]
    [InlineData('-')]
    [InlineData('+')]
    [InlineData('/')]
    [InlineData(' ')]
    [InlineData('_')]
    [InlineData('=')]
    [InlineData('é')]
    [InlineData('０')]
    [InlineData('\0')]
    public void IsWellFormed_rejects_a_non_base62_character_at_any_position(char bad)
    {
        Assert.True(SecretFormat.IsWellFormed(RangeQueryToken, SecretKind.QueryToken));

        for (var position = 4; position < 53; position++)
        {
            var chars = RangeQueryToken.ToCharArray();
            chars[position] = bad;
            Assert.False(SecretFormat.IsWellFormed(new string(chars), SecretKind.QueryToken), $"position {position}");
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void IsWellFormed_rejects_every_single_character_change_of_body_or_checksum(SecretKind kind)
    {
        var valid = SecretFormat.Generate(kind);
        Assert.True(SecretFormat.IsWellFormed(valid, kind));

        for (var position = 4; position < 53; position++)
        {
            foreach (var replacement in Base62Alphabet)
            {
                if (replacement == valid[position])
                {
                    continue;
                }
                var chars = valid.ToCharArray();
                chars[position] = replacement;
                var changed = new string(chars);
                Assert.False(SecretFormat.IsWellFormed(changed, kind), $"{changed} (position {position})");
            }
        }
    }

    [Fact]
    public void IsWellFormed_accepts_the_largest_32_byte_body()
    {
        Assert.True(SecretFormat.IsWellFormed(OnesLicenseKey, SecretKind.LicenseKey));
        Assert.True(SecretFormat.IsWellFormed(OnesQueryToken, SecretKind.QueryToken));
    }

    [Theory]
    [InlineData(SecretKind.LicenseKey, AllZLicenseKey)]
    [InlineData(SecretKind.QueryToken, AllZQueryToken)]
    [InlineData(SecretKind.LicenseKey, TwoPow256LicenseKey)]
    [InlineData(SecretKind.QueryToken, TwoPow256QueryToken)]
    public void IsWellFormed_rejects_a_body_above_2_pow_256_minus_1_despite_a_correct_checksum(SecretKind kind, string secret)
    {
        // The checksum really is right (computed the same way for an accepted secret), so only the body range can refuse it.
        Assert.Equal(secret, WithValidChecksum(secret[..4], secret.Substring(4, 43)));

        Assert.False(SecretFormat.IsWellFormed(secret, kind));
    }

    [Fact]
    public void Hint_is_the_prefix_an_ellipsis_and_the_last_four_characters()
    {
        Assert.Equal("tsq_…wbLm", SecretFormat.Hint(RangeQueryToken));
        Assert.Equal("tsl_…0ZVE", SecretFormat.Hint(RangeLicenseKey));
    }

    [Fact]
    public void SecretHash_Of_is_the_SHA256_of_the_ascii_text()
    {
        var secret = SecretFormat.Generate(SecretKind.QueryToken);

        var hash = SecretHash.Of(secret);

        Assert.Equal(SHA256.HashData(Encoding.ASCII.GetBytes(secret)), hash.ToArray());
    }

    [Fact]
    public void SecretHash_Of_matches_an_independently_computed_digest()
    {
        // Python: hashlib.sha256(b"tsq_000…nuVkA").hexdigest()
        var expected = Convert.FromHexString("9b076a4ed288eb941ab6a90a1a387b4cc3d8fe545d5d9bf52802b339537c076e");

        Assert.Equal(expected, SecretHash.Of(ZerosQueryToken).ToArray());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void TryHash_gives_the_hash_of_exactly_the_secrets_IsWellFormed_accepts(SecretKind kind)
    {
        var valid = SecretFormat.Generate(kind);
        string[] malformed = [valid[..52], valid + "0", "", valid[..10] + "-" + valid[11..], valid[..47] + "zzzzzz", AllZQueryToken, AllZLicenseKey,
            SecretFormat.Generate(kind == SecretKind.QueryToken ? SecretKind.LicenseKey : SecretKind.QueryToken)];

        Assert.True(SecretFormat.TryHash(valid, kind, out var hash));
        Assert.Equal(SecretHash.Of(valid), hash);
        Assert.True(SecretFormat.TryHash(kind == SecretKind.QueryToken ? ZerosQueryToken : ZerosLicenseKey, kind, out var zeros));
        Assert.Equal(SecretHash.Of(kind == SecretKind.QueryToken ? ZerosQueryToken : ZerosLicenseKey), zeros);
        Assert.All(malformed, m =>
        {
            Assert.False(SecretFormat.IsWellFormed(m, kind), m);
            Assert.False(SecretFormat.TryHash(m, kind, out var none), m);
            Assert.Equal(default, none);
        });
    }

    [Fact]
    public void SecretHash_FromBytes_and_ToArray_round_trip()
    {
        var bytes = Enumerable.Range(1, 32).Select(i => (byte)(i * 7)).ToArray();

        var hash = SecretHash.FromBytes(bytes);

        Assert.Equal(bytes, hash.ToArray());
        Assert.Equal(hash, SecretHash.FromBytes(hash.ToArray()));
    }

    [Fact]
    public void SecretHash_FromBytes_rejects_a_span_that_is_not_32_bytes()
    {
        Assert.Equal(32, SecretHash.FromBytes(new byte[32]).ToArray().Length);

        Assert.Throws<ArgumentException>(() => SecretHash.FromBytes(new byte[31]));
        Assert.Throws<ArgumentException>(() => SecretHash.FromBytes(new byte[33]));
    }

    private static byte[] BodyBytes(string name) => name switch
    {
        "zeros" => new byte[32],
        "ones" => Enumerable.Repeat((byte)0xFF, 32).ToArray(),
        "range" => Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    /// <summary>A test-side checksum, used only to forge secrets whose checksum is right but whose other parts are not.</summary>
    private static string WithValidChecksum(string prefix, string body)
    {
        var crc = System.IO.Hashing.Crc32.HashToUInt32(Encoding.ASCII.GetBytes(prefix + body));
        var digits = new char[6];
        for (var i = 5; i >= 0; i--)
        {
            digits[i] = Base62Alphabet[(int)(crc % 62)];
            crc /= 62;
        }
        return prefix + body + new string(digits);
    }
}
