using Microsoft.AspNetCore.Identity;
using Tessera.Core.Members;

namespace Tessera.Server.Members;

/// <summary>Members' passwords through ASP.NET Core Identity's PasswordHasher (PBKDF2-HMAC-SHA512, salted, its own format version).</summary>
public sealed class IdentityPasswordHashing : IPasswordHashing
{
    private readonly PasswordHasher<Member> _hasher = new();

    public string Hash(Member member, string password) => _hasher.HashPassword(member, password);

    public bool Verify(Member member, string hash, string password, out bool rehash)
    {
        var result = _hasher.VerifyHashedPassword(member, hash, password);
        rehash = result == PasswordVerificationResult.SuccessRehashNeeded;
        return result != PasswordVerificationResult.Failed;
    }
}
