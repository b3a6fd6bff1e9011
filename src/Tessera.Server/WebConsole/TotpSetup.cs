using Microsoft.AspNetCore.DataProtection;
using QRCoder;
using Tessera.Core.Members;

namespace Tessera.Server.WebConsole;

/// <summary>
/// The Profile page's two-step setup: a new secret travels between the two forms sealed and short-lived (nothing is stored
/// until the member proves their app shows the right code), and its QR code is drawn here, as SVG, so no third party
/// ever sees the secret.
/// </summary>
public sealed class TotpSetup(IDataProtectionProvider protection)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    private ITimeLimitedDataProtector Protector => protection.CreateProtector("Tessera.Console.TotpSetup").ToTimeLimitedDataProtector();

    /// <summary>The sealed form of a new secret, bound to the member who asked for it.</summary>
    public string Seal(string memberId, string secret) => Protector.Protect($"{memberId} {secret}", Lifetime);

    /// <summary>The secret sealed for <paramref name="memberId"/>, or null when expired, altered or someone else's.</summary>
    public string? Open(string memberId, string? sealedSetup)
    {
        try
        {
            var parts = sealedSetup is null ? null : Protector.Unprotect(sealedSetup).Split(' ', 2);
            return parts is [var owner, var secret] && owner == memberId ? secret : null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }

    /// <summary>The QR code of the setup URI as an SVG <c>data:</c> URI (the console's CSP allows images from data: only).</summary>
    public static string QrCode(string secret, string email)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(MemberTotpService.SetupUri(secret, email), QRCodeGenerator.ECCLevel.M);
        var svg = new SvgQRCode(data).GetGraphic(5);
        return "data:image/svg+xml;base64," + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(svg));
    }
}
