using System.Security.Cryptography;
using System.Text;

namespace Tessera.Testing;

/// <summary>The specification's signature, written out here from API.md §7 (not Tessera's code), for checks beyond the verifier's clock.</summary>
public static class WebhookSignatures
{
    public static string Of(string secret, WebhookReceiver.Received received) =>
        "v1," + Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(secret["whsec_".Length..]),
            Encoding.UTF8.GetBytes($"{received.Id}.{received.Timestamp}.{received.Body}")));
}
