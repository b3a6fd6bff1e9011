using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Tessera.Core.Secrets;

/// <summary>
/// SHA-256 of a short input, as <see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/> computes it, but
/// without its fixed cost on Linux.
/// </summary>
/// <remarks>
/// On Linux <see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/> goes through OpenSSL 3's EVP layer,
/// which creates and frees a digest context and dispatches through a provider on every call: about 0.4 µs
/// for the single 64-byte block a secret needs, two thirds of the query side's budget. OpenSSL's own
/// <c>SHA256_Init/Update/Final</c> hash that block, with the same (SHA-NI) code, in about 0.05 µs. They are
/// used only when the library exports them, OpenSSL is not in FIPS mode (those functions bypass the FIPS
/// provider), and they agree with <see cref="SHA256"/> on known answers at start; otherwise, and on every
/// other platform, <see cref="SHA256"/> is used. ADR 0007, amendment.
/// </remarks>
internal static unsafe class Sha256
{
    public const int Length = 32;

    // OpenSSL's SHA256_CTX is 112 bytes (1.1 and 3.x); room to spare.
    private const int ContextSize = 256;

    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, int> s_init;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, byte*, nuint, int> s_update;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, byte*, int> s_final;

    /// <summary>True when OpenSSL's direct functions are used; false when every hash goes through <see cref="SHA256"/>.</summary>
    public static bool IsDirect { get; }

    static Sha256()
    {
        if (!OperatingSystem.IsLinux() || !TryLoad(out var library))
        {
            return;
        }
        if (!NativeLibrary.TryGetExport(library, "SHA256_Init", out var init) ||
            !NativeLibrary.TryGetExport(library, "SHA256_Update", out var update) ||
            !NativeLibrary.TryGetExport(library, "SHA256_Final", out var final) ||
            IsFipsMode(library))
        {
            return;
        }
        s_init = (delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, int>)init;
        s_update = (delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, byte*, nuint, int>)update;
        s_final = (delegate* unmanaged[Cdecl, SuppressGCTransition]<byte*, byte*, int>)final;
        IsDirect = AgreesWithSystem();
    }

    public static void HashData(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (destination.Length < Length)
        {
            throw new ArgumentException($"A SHA-256 digest is {Length} bytes.", nameof(destination));
        }
        if (!IsDirect || !TryDirect(source, destination))
        {
            SHA256.HashData(source, destination);
        }
    }

    private static bool TryDirect(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var context = stackalloc byte[ContextSize];
        fixed (byte* input = source)
        fixed (byte* output = destination)
        {
            return s_init(context) == 1 && s_update(context, input, (nuint)source.Length) == 1 && s_final(output, context) == 1;
        }
    }

    private static bool TryLoad(out IntPtr library)
    {
        // The library .NET's own cryptography loads on current distributions, then the previous one.
        foreach (var name in (ReadOnlySpan<string>)["libcrypto.so.3", "libcrypto.so.1.1"])
        {
            if (NativeLibrary.TryLoad(name, out library))
            {
                return true;
            }
        }
        library = IntPtr.Zero;
        return false;
    }

    private static bool IsFipsMode(IntPtr library)
    {
        if (NativeLibrary.TryGetExport(library, "EVP_default_properties_is_fips_enabled", out var fips3))
        {
            return ((delegate* unmanaged[Cdecl]<IntPtr, int>)fips3)(IntPtr.Zero) != 0;
        }
        return NativeLibrary.TryGetExport(library, "FIPS_mode", out var fips1) && ((delegate* unmanaged[Cdecl]<int>)fips1)() != 0;
    }

    /// <summary>The direct functions are trusted only if they give the same digests as <see cref="SHA256"/>.</summary>
    private static bool AgreesWithSystem()
    {
        Span<byte> direct = stackalloc byte[Length];
        Span<byte> system = stackalloc byte[Length];
        foreach (var text in (ReadOnlySpan<string>)["", "abc", "tsq_00000000000000000000000000000000000000000000nuVkA", new string('x', 200)])
        {
            var bytes = Encoding.ASCII.GetBytes(text);
            if (!TryDirect(bytes, direct))
            {
                return false;
            }
            SHA256.HashData(bytes, system);
            if (!direct.SequenceEqual(system))
            {
                return false;
            }
        }
        return true;
    }
}
