namespace Tessera.Core.Accounts;

/// <summary>What a license key is granted: its scopes, optionally its workloads, optionally its end.</summary>
public sealed record KeyGrant(IReadOnlyList<string> Scopes, IReadOnlyList<string>? WorkloadIds, DateTimeOffset? ExpiresAt)
{
    /// <summary>Every scope, every workload, no end: the bootstrap key and every key made before scopes existed.</summary>
    public static readonly KeyGrant Full = new(Accounts.Scopes.Everything, null, null);
}
