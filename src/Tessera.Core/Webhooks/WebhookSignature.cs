using System.Security.Cryptography;
using System.Text;

namespace Tessera.Core.Webhooks;

/// <summary>
/// Standard Webhooks secrets and signatures (API.md §7): a secret is <c>whsec_</c> + base64 of 32 random bytes; a
/// signature is <c>v1,</c> + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")), the key being the secret's
/// decoded bytes; during a rotation one per secret, space-separated.
/// </summary>
public static class WebhookSignature
{
    public const string SecretPrefix = "whsec_";

    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static string Sign(string id, long timestamp, ReadOnlySpan<byte> body, IEnumerable<string> secrets)
    {
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return string.Join(' ', secrets.Select(secret =>
            "v1," + Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(secret[SecretPrefix.Length..]), signed))));
    }
}
