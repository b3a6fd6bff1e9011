using Tessera.Core.Accounts;
using Tessera.Core.Audit;

namespace Tessera.Core.Leaks;

/// <summary>
/// Who reported a leak, as the audit trail of the token's account records it. A report may name a token of
/// any account: the reporter's own identity (a license key id, a client address) is written only into its
/// own account's trail, so one provider's scanner never shows up by name in another provider's history.
/// </summary>
public sealed record LeakReporter(string ActorType, string? ActorId, string? AccountId, string? ClientIp)
{
    /// <summary>GitHub's secret scanning, proven by its signature; <paramref name="clientIp"/> is where the report came from.</summary>
    public static LeakReporter GitHub(string? clientIp) => new(AuditActors.SecretScanning, "github", null, clientIp);

    /// <summary>A provider's own scanner, authenticated by its license key (POST /v1/leaks).</summary>
    public static LeakReporter Provider(Caller caller) => new(AuditActors.LicenseKey, caller.LicenseKeyId, caller.AccountId, caller.ClientIp);

    /// <summary>The actor, id and address to record in <paramref name="accountId"/>'s trail.</summary>
    public (string ActorType, string? ActorId, string? ClientIp) As(string accountId) =>
        AccountId is null || AccountId == accountId
            ? (ActorType, ActorId, ClientIp)
            : (AuditActors.SecretScanning, null, null);
}
