using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Tessera.Core;

namespace Tessera.Server.Http;

/// <summary>
/// X-Forwarded-For and X-Forwarded-Proto are believed only from the proxies named in
/// Tessera:Http:TrustedProxies; the framework's default (trust loopback) is dropped, so no caller can pick
/// its own address, or claim HTTPS, unless an operator said which proxy may speak for it. Behind a proxy that
/// terminates TLS the request is then HTTPS to Tessera too: console cookies are Secure and answers carry HSTS.
/// </summary>
public static class ForwardedHeadersSetup
{
    public static void Configure(ForwardedHeadersOptions options, IReadOnlyList<string> trustedProxies)
    {
        // With no known proxy at all the middleware would believe every peer: then it must not run.
        options.ForwardedHeaders = trustedProxies.Count == 0 ? ForwardedHeaders.None : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        // Walk the chain from the right while the hop is a trusted proxy; stop at the first that is not.
        options.ForwardLimit = null;
        foreach (var entry in trustedProxies)
        {
            if (entry.Contains('/', StringComparison.Ordinal))
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(entry));
            }
            else
            {
                options.KnownProxies.Add(IPAddress.Parse(entry));
            }
        }
    }

    public static void Validate(IReadOnlyList<string> trustedProxies)
    {
        foreach (var entry in trustedProxies)
        {
            var valid = entry.Contains('/', StringComparison.Ordinal) ? System.Net.IPNetwork.TryParse(entry, out _) : IPAddress.TryParse(entry, out _);
            if (!valid)
            {
                throw new TesseraConfigurationException(
                    $"Tessera:Http:TrustedProxies holds '{entry}', which is neither an IP address nor a CIDR network like 10.0.0.0/8.");
            }
        }
    }
}
