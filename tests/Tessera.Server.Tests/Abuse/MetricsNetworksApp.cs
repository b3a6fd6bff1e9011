namespace Tessera.Server.Tests.Abuse;

/// <summary>Loopback is a trusted proxy, and /metrics is for two documentation networks and one address only.</summary>
public sealed class MetricsNetworksApp() : KestrelApp(new Dictionary<string, string>
{
    ["Tessera:Http:TrustedProxies:0"] = "127.0.0.1",
    ["Tessera:Http:TrustedProxies:1"] = "::1",
    ["Tessera:Metrics:AllowedNetworks:0"] = "198.51.100.0/24",
    ["Tessera:Metrics:AllowedNetworks:1"] = "2001:db8:5::/48",
    ["Tessera:Metrics:AllowedNetworks:2"] = "203.0.113.7",
});
