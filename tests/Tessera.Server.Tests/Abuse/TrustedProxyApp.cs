namespace Tessera.Server.Tests.Abuse;

/// <summary>Loopback is a trusted proxy: X-Forwarded-For names the client. Small budgets.</summary>
public sealed class TrustedProxyApp() : KestrelApp(new Dictionary<string, string>
{
    ["Tessera:Http:TrustedProxies:0"] = "127.0.0.1",
    ["Tessera:Http:TrustedProxies:1"] = "::1",
    ["Tessera:Abuse:QueryFailures:PermitLimit"] = "5",
    ["Tessera:Abuse:QueryFailures:Window"] = "01:00:00",
    ["Tessera:Abuse:LicenseFailures:PermitLimit"] = "3",
    ["Tessera:Abuse:LicenseFailures:Window"] = "00:00:05",
});
