namespace Tessera.Core.Members;

/// <summary>
/// How members' passwords are kept: the server plugs in ASP.NET Core Identity's PasswordHasher (ADR 0018), so Core
/// takes no web framework dependency for one algorithm.
/// </summary>
public interface IPasswordHashing
{
    string Hash(Member member, string password);

    /// <summary>True when <paramref name="password"/> is the member's; <paramref name="rehash"/> when the stored hash should be upgraded.</summary>
    bool Verify(Member member, string hash, string password, out bool rehash);
}
