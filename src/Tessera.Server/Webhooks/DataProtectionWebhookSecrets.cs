using Microsoft.AspNetCore.DataProtection;
using Tessera.Core.Webhooks;

namespace Tessera.Server.Webhooks;

/// <summary>
/// Webhook secrets encrypted with the server's Data Protection keys (the console's, in ./data/keys or wherever they
/// are configured, encrypted at rest by Tessera:DataProtection:CertificatePath when set). Servers sharing a database
/// must share those keys, as they already must for console sessions.
/// </summary>
public sealed class DataProtectionWebhookSecrets(IDataProtectionProvider provider) : IWebhookSecretProtector
{
    private readonly IDataProtector _protector = provider.CreateProtector("Tessera.Webhooks.Secret.v1");

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);
}
