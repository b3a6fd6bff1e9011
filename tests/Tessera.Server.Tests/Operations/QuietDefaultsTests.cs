using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Operations;

/// <summary>
/// Issue 19 §3: the server as shipped says only what an operator needs. Console pages with forms log no antiforgery
/// warning; Data Protection keys can be encrypted to a certificate (and then the "unencrypted" warning is gone);
/// a misspelled key under Tessera: is reported once, with the closest known name.
/// </summary>
public sealed class QuietDefaultsTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    private const string AntiforgeryOverride = "'Cache-Control' and 'Pragma' headers have been overridden";
    private const string UnencryptedKeys = "No XML encryptor configured";

    [Fact]
    public async Task Console_pages_with_forms_log_no_antiforgery_warning_and_are_still_never_stored()
    {
        var account = await app.NewAccountAsync();
        var browser = new ConsoleBrowser(app);
        await browser.SignInAsync(account.LicenseKey);
        foreach (var page in new[] { "/workloads", "/tokens", "/tokens/new", "/sign-in" })
        {
            var answer = await browser.GetAsync(page);
            Assert.True(answer.StatusCode is HttpStatusCode.OK or HttpStatusCode.Redirect, $"{page}: {(int)answer.StatusCode}");
            Assert.True(answer.Headers.CacheControl?.NoStore, $"{page}: Cache-Control {answer.Headers.CacheControl}");
        }
        await browser.SignOutAsync();

        Assert.DoesNotContain(app.Logs.Lines, line => line.Contains(AntiforgeryOverride, StringComparison.Ordinal));
        // The keys were made (sign-in sealed a cookie), unencrypted without a certificate: the warning docs/deploy.md explains.
        Assert.Contains(app.Logs.Lines, line => line.Contains(UnencryptedKeys, StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_a_certificate_the_data_protection_keys_are_encrypted_at_rest_and_nothing_warns()
    {
        var directory = Directory.CreateTempSubdirectory("tessera-dp-").FullName;
        var certificatePath = Path.Combine(directory, "keys.pfx");
        using (var key = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=tessera-data-protection", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            await File.WriteAllBytesAsync(certificatePath, certificate.Export(X509ContentType.Pfx, "pass"), TestContext.Current.CancellationToken);
        }
        var keys = Path.Combine(directory, "keys");
        await using var protectedApp = new TesseraApp
        {
            Settings =
            {
                ["Tessera:DataProtection:CertificatePath"] = certificatePath,
                ["Tessera:DataProtection:CertificatePassword"] = "pass",
                ["Tessera:Console:KeysDirectory"] = keys,
            },
        };
        var account = await protectedApp.NewAccountAsync();
        var browser = new ConsoleBrowser(protectedApp);
        await browser.SignInAsync(account.LicenseKey);
        Assert.Equal("/tokens", await browser.LandsOnAsync("/tokens")); // the sealed cookie reads back

        var files = Directory.GetFiles(keys, "*.xml");
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var xml = await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken);
            Assert.Contains("EncryptedData", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);
        }
        Assert.DoesNotContain(protectedApp.Logs.Lines, line => line.Contains(UnencryptedKeys, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_misspelled_setting_is_reported_once_with_the_closest_known_name_and_known_ones_are_not()
    {
        await using var misspelled = new TesseraApp
        {
            Settings =
            {
                ["Tessera:Databse:Provider"] = "postgres",
                ["Tessera:Verification:FeedIntervall"] = "00:00:01",
                ["Tessera:Http:TrustedProxies:0"] = "10.0.0.5",
                ["Tessera:Console:SessionIdleTimeout"] = "01:00:00",
            },
        };
        await misspelled.NewAccountAsync(); // starts the server

        var warnings = misspelled.Logs.Lines.Where(line => line.Contains("Unknown setting", StringComparison.Ordinal)).ToList();
        Assert.True(warnings.Count == 2, string.Join("\n", warnings));
        Assert.Contains(warnings, w => w.Contains("Unknown setting Tessera:Databse:Provider is ignored; did you mean Tessera:Database:Provider?", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("Tessera:Verification:FeedIntervall is ignored; did you mean Tessera:Verification:FeedInterval?", StringComparison.Ordinal));
        Assert.All(warnings, w => Assert.StartsWith("Warning ", w, StringComparison.Ordinal));
        // The shared server, configured only with known keys, reports none.
        await app.NewAccountAsync();
        Assert.DoesNotContain(app.Logs.Lines, line => line.Contains("Unknown setting", StringComparison.Ordinal));
    }
}
