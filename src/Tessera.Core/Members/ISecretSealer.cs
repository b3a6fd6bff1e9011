namespace Tessera.Core.Members;

/// <summary>
/// Seals a secret the server must read back (a member's TOTP secret: codes are computed from it, so it cannot be a hash)
/// with keys kept outside the database (ASP.NET Core Data Protection, ADR 0018): a copy of the database alone does not
/// yield it.
/// </summary>
public interface ISecretSealer
{
    string Seal(string secret);

    /// <summary>The secret, or null when the sealed text was not made with these keys or was changed.</summary>
    string? Unseal(string sealedSecret);
}
