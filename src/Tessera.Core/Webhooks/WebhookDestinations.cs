using System.Net;
using System.Net.Sockets;

namespace Tessera.Core.Webhooks;

/// <summary>
/// Where webhooks may go (API.md §7): https, and only public addresses: never loopback, private, link-local
/// (cloud metadata), shared, documentation, multicast or reserved ranges, nor an IPv6 form that embeds one
/// (IPv4-mapped, NAT64, 6to4, Teredo). Checked on the URL when an endpoint is saved and again on every address a
/// name resolves to when a delivery connects, so a name re-pointed at an internal host later is still refused.
/// </summary>
public sealed class WebhookDestinations(WebhookOptions options)
{
    public const int MaxUrlLength = 2_000;

    private static readonly IPNetwork[] ForbiddenV4 =
    [
        .. new[]
        {
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
            "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4",
            "240.0.0.0/4",
        }.Select(IPNetwork.Parse),
    ];

    private static readonly IPNetwork[] ForbiddenV6 =
    [
        .. new[] { "::/96", "100::/64", "2001::/32", "2001:db8::/32", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8" }.Select(IPNetwork.Parse),
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    /// <summary>True when a delivery may connect to <paramref name="address"/>.</summary>
    public bool IsAllowed(IPAddress address)
    {
        if (options.AllowPrivateNetworks)
        {
            // Still never the unspecified address or multicast: they are nobody's receiver.
            return !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any) && !IsMulticast(address);
        }
        return IsPublic(address);
    }

    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return !ForbiddenV4.Any(n => n.Contains(address));
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }
        var bytes = address.GetAddressBytes();
        if (Nat64.Contains(address))
        {
            return IsPublic(new IPAddress(bytes.AsSpan(12, 4)));
        }
        if (SixToFour.Contains(address))
        {
            return IsPublic(new IPAddress(bytes.AsSpan(2, 4)));
        }
        return !ForbiddenV6.Any(n => n.Contains(address));
    }

    /// <summary>
    /// Why <paramref name="url"/> cannot be an endpoint's destination, or null when it can: not an absolute http(s)
    /// URL, credentials in it, http without AllowHttp, or a host that is (or resolves to) a forbidden address.
    /// A name that does not resolve now is accepted: the delivery checks again when it connects.
    /// </summary>
    public async Task<(string Code, string Message)?> RefusalAsync(string url, CancellationToken cancellationToken)
    {
        if (url.Length > MaxUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) || uri.Host.Length == 0 || uri.Fragment.Length > 0)
        {
            return (ErrorCodes.ValidationFailed, $"Must be an absolute https URL of at most {MaxUrlLength} characters, without a fragment.");
        }
        if (uri.UserInfo.Length > 0)
        {
            return (ErrorCodes.ValidationFailed, "Must not carry credentials: the signature authenticates Tessera to the receiver.");
        }
        if (uri.Scheme == Uri.UriSchemeHttp && !options.AllowHttp)
        {
            return (ErrorCodes.WebhookUrlForbidden, "Must be https (Tessera:Webhooks:AllowHttp allows http for tests and private networks).");
        }
        IPAddress[] addresses;
        if (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(uri.IdnHost, cancellationToken);
            }
            catch (SocketException)
            {
                return null;
            }
        }
        return addresses.All(IsAllowed)
            ? null
            : (ErrorCodes.WebhookUrlForbidden,
                "Must reach a public address: loopback, private, link-local and metadata addresses are refused " +
                "(Tessera:Webhooks:AllowPrivateNetworks allows them for tests and private networks).");
    }

    private static bool IsMulticast(IPAddress address) =>
        address.IsIPv6Multicast || (address.AddressFamily == AddressFamily.InterNetwork && address.GetAddressBytes()[0] is >= 224 and < 240);
}
