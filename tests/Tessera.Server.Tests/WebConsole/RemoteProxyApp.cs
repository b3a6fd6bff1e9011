using Tessera.Server.Tests.Abuse;

namespace Tessera.Server.Tests.WebConsole;

/// <summary>A trusted proxy is configured, but not loopback: the tests' requests come from a peer that is no trusted proxy.</summary>
public sealed class RemoteProxyApp() : KestrelApp(new Dictionary<string, string>
{
    ["Tessera:Http:TrustedProxies:0"] = "10.0.0.5",
});
