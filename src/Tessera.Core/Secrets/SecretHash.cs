using System.Buffers.Binary;
using System.Text;

namespace Tessera.Core.Secrets;

/// <summary>
/// The SHA-256 of a secret's ASCII text: the only form in which a secret is ever stored.
/// A 32-byte value type so it can key an in-memory map without allocating.
/// </summary>
public readonly record struct SecretHash(ulong A, ulong B, ulong C, ulong D)
{
    public const int Length = 32;

    public static SecretHash Of(ReadOnlySpan<char> secret)
    {
        // Secrets are validated as ASCII before hashing, so one byte per char.
        Span<byte> ascii = stackalloc byte[secret.Length];
        var written = Encoding.ASCII.GetBytes(secret, ascii);
        return OfAscii(ascii[..written]);
    }

    /// <summary>The hash of a secret already encoded as ASCII; the digest goes from the stack straight into the four words.</summary>
    public static SecretHash OfAscii(ReadOnlySpan<byte> ascii)
    {
        Span<byte> digest = stackalloc byte[Length];
        Sha256.HashData(ascii, digest);
        return FromBytes(digest);
    }

    public static SecretHash FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"A secret hash is {Length} bytes.", nameof(bytes));
        }
        return new SecretHash(
            BinaryPrimitives.ReadUInt64BigEndian(bytes),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]));
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        CopyTo(bytes);
        return bytes;
    }

    /// <summary>Writes the 32 bytes into <paramref name="destination"/> without allocating (the gateway feed writes a million).</summary>
    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, A);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], B);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], C);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], D);
    }
}
