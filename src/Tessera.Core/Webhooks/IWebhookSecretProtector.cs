namespace Tessera.Core.Webhooks;

/// <summary>Encrypts webhook secrets at rest (the server: its Data Protection keys); secrets are signed with, so kept reversibly.</summary>
public interface IWebhookSecretProtector
{
    string Protect(string secret);

    string Unprotect(string protectedSecret);
}
