using Tessera.Server.Tests.Abuse;

namespace Tessera.Server.Tests.Lattica;

/// <summary>
/// Real Kestrel sockets with loopback as a trusted proxy, so X-Forwarded-For names the client; small failure
/// budgets over a window longer than any test, so a spent budget stays spent while a test looks at it.
/// </summary>
public sealed class LatticaLimitApp() : KestrelApp(new Dictionary<string, string>
{
    ["Tessera:Http:TrustedProxies:0"] = "127.0.0.1",
    ["Tessera:Http:TrustedProxies:1"] = "::1",
    ["Tessera:Abuse:QueryFailures:PermitLimit"] = "3",
    ["Tessera:Abuse:QueryFailures:Window"] = "01:00:00",
    ["Tessera:Abuse:LicenseFailures:PermitLimit"] = "3",
    ["Tessera:Abuse:LicenseFailures:Window"] = "01:00:00",
});
