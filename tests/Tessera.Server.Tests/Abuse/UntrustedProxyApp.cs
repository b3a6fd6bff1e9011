namespace Tessera.Server.Tests.Abuse;

/// <summary>No trusted proxy: X-Forwarded-For is ignored, whatever it says.</summary>
public sealed class UntrustedProxyApp() : KestrelApp(new Dictionary<string, string>
{
    ["Tessera:Abuse:QueryFailures:PermitLimit"] = "4",
    ["Tessera:Abuse:QueryFailures:Window"] = "01:00:00",
});
