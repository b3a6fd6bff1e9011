using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Tessera.Core;

namespace Tessera.Server.Hosting;

/// <summary>
/// Tessera:DataProtection:CertificatePath: the console's Data Protection keys (which seal sign-in and antiforgery
/// cookies) are written encrypted to that certificate instead of as plain XML, which is what ASP.NET Core's
/// "No XML encryptor configured" warning at first start is about (docs/deploy.md).
/// </summary>
public static class DataProtectionCertificate
{
    public static void Apply(IServiceCollection services, TesseraSettings.DataProtectionSettings settings)
    {
        if (string.IsNullOrWhiteSpace(settings.CertificatePath))
        {
            return;
        }
        services.AddDataProtection().ProtectKeysWithCertificate(Load(settings.CertificatePath, settings.CertificatePassword));
    }

    private static X509Certificate2 Load(string path, string? password)
    {
        try
        {
            var certificate = path.EndsWith(".pem", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".crt", StringComparison.OrdinalIgnoreCase)
                ? password is null ? X509Certificate2.CreateFromPemFile(path) : X509Certificate2.CreateFromEncryptedPemFile(path, password)
                : X509CertificateLoader.LoadPkcs12FromFile(path, password);
            if (!certificate.HasPrivateKey)
            {
                throw new TesseraConfigurationException($"Tessera:DataProtection:CertificatePath: {path} has no private key, which reading the keys back needs.");
            }
            return certificate;
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new TesseraConfigurationException($"Tessera:DataProtection:CertificatePath: cannot load {path}: {e.Message}");
        }
    }
}
