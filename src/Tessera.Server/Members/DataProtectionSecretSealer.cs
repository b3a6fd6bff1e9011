using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Tessera.Core.Members;

namespace Tessera.Server.Members;

/// <summary>Members' TOTP secrets sealed with the console's Data Protection keys (the same keys every server of a deployment shares).</summary>
public sealed class DataProtectionSecretSealer(IDataProtectionProvider provider) : ISecretSealer
{
    private readonly IDataProtector _protector = provider.CreateProtector("Tessera.Members.Totp");

    public string Seal(string secret) => _protector.Protect(secret);

    public string? Unseal(string sealedSecret)
    {
        try
        {
            return _protector.Unprotect(sealedSecret);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
