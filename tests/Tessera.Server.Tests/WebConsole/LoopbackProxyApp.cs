using Tessera.Server.Tests.Abuse;

namespace Tessera.Server.Tests.WebConsole;

/// <summary>Loopback is the trusted proxy, as for a TLS-terminating nginx on the same host.</summary>
public sealed class LoopbackProxyApp() : KestrelApp(new Dictionary<string, string>
{
    ["Tessera:Http:TrustedProxies:0"] = "127.0.0.1",
    ["Tessera:Http:TrustedProxies:1"] = "::1",
});
