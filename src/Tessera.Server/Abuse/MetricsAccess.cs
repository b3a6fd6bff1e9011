using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Tessera.Core;

namespace Tessera.Server.Abuse;

/// <summary>
/// Who may read <c>/metrics</c>: client addresses inside Tessera:Metrics:AllowedNetworks (by default the
/// loopback and private ranges, where a monitoring system lives). Anyone else gets the same 404 as an
/// address with nothing at it: the figures (token counts, error rates, lag) tell an outsider how the
/// service is doing, and whether it is there at all is none of their business either.
/// </summary>
/// <remarks>
/// The address judged is the connection's as UseForwardedHeaders left it: the client named by a trusted
/// proxy, else the peer. A connection with no IP address (a Unix socket, whose peer may be a proxy
/// forwarding anyone) is refused: unknown is not inside any network.
/// </remarks>
public sealed class MetricsAccess
{
    public const string Key = "Tessera:Metrics:AllowedNetworks";

    /// <summary>Loopback, RFC 1918 and IPv6 unique-local (RFC 4193) addresses.</summary>
    public static readonly IReadOnlyList<string> DefaultNetworks =
        ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"];

    private readonly IPNetwork[] _networks;

    private MetricsAccess(IPNetwork[] networks) => _networks = networks;

    public IReadOnlyList<IPNetwork> Networks => _networks;

    /// <summary>
    /// The configured entries (addresses or CIDR networks), or <see cref="DefaultNetworks"/> when there are
    /// none. A configured list replaces the defaults rather than adding to them.
    /// </summary>
    /// <exception cref="TesseraConfigurationException">An entry is not a plain address or network.</exception>
    public static MetricsAccess Parse(IReadOnlyList<string> entries) =>
        new([.. (entries.Count == 0 ? DefaultNetworks : entries).Select(ParseEntry)]);

    public bool Allows(IPAddress? address)
    {
        if (address is null)
        {
            return false;
        }
        // A dual-mode socket reports an IPv4 client as ::ffff:a.b.c.d; either spelling of the client, and of
        // the configured network, must give the same answer.
        var other = address.IsIPv4MappedToIPv6 ? address.MapToIPv4()
            : address.AddressFamily == AddressFamily.InterNetwork ? address.MapToIPv6()
            : null;
        foreach (var network in _networks)
        {
            if (network.Contains(address) || (other is not null && network.Contains(other)))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Put in front of the scraping endpoint (its branched pipeline). Others get a bare 404, which the
    /// status-code pages turn into the very problem an address with nothing at it gets.
    /// </summary>
    public void Guard(IApplicationBuilder branch) => branch.Use((context, next) =>
    {
        if (Allows(context.Connection.RemoteIpAddress))
        {
            return next(context);
        }
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    });

    /// <summary>
    /// Strict on purpose: .NET's parsers take "010.0.0.1" as 8.0.0.1, "10" as 0.0.0.10 and "10.0.0.1/8" as
    /// 10.0.0.0/8. An allowlist that silently means something else than it says is worse than none.
    /// </summary>
    private static IPNetwork ParseEntry(string entry)
    {
        var slash = entry.IndexOf('/', StringComparison.Ordinal);
        var addressPart = slash < 0 ? entry : entry[..slash];
        if (!IPAddress.TryParse(addressPart, out var address) ||
            (address.AddressFamily == AddressFamily.InterNetwork && address.ToString() != addressPart) ||
            (address.AddressFamily == AddressFamily.InterNetworkV6 && (address.ScopeId != 0 || !addressPart.Contains(':', StringComparison.Ordinal))))
        {
            throw Malformed(entry, "its address is not written as a plain IPv4 (10.0.0.5) or IPv6 (fd00::5) address");
        }
        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = bits;
        if (slash >= 0 && (!int.TryParse(entry.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > bits))
        {
            throw Malformed(entry, $"its prefix length is not a number from 0 to {bits}");
        }
        var network = IPNetwork.Parse($"{address}/{prefix}"); // masks the address to its first prefix bits
        return network.BaseAddress.Equals(address) ? network : throw Malformed(entry, $"its address has bits set past /{prefix} (the network is {network})");
    }

    private static TesseraConfigurationException Malformed(string entry, string why) =>
        new($"{Key} holds '{entry}', which is not an IP address or a CIDR network like 10.0.0.0/8: {why}.");
}
