using Tessera.Core.Storage;
using Tessera.Core.Validation;

namespace Tessera.Core.Accounts;

/// <summary>
/// Checks what a new license key asks for against what the key creating it holds (API.md §8): a key never
/// makes a key that can do more, see more workloads or live longer than itself.
/// </summary>
public static class KeyGrantRules
{
    /// <summary>A key bound to more workloads than this is better made unbound; the bound keeps the stored list short.</summary>
    public const int MaxWorkloads = 100;

    /// <summary>
    /// The grant a new key gets. Absent fields take the creator's own (so a restricted key never creates a
    /// wider one by leaving a field out; for an unrestricted creator that is <c>*</c>, every workload, no end).
    /// Malformed values are field errors (422); values beyond the creator's are returned in <paramref name="beyond"/>
    /// for a 403 insufficient_scope.
    /// </summary>
    public static KeyGrant Resolve(Caller creator, DateTimeOffset? creatorExpiresAt, IReadOnlyList<string>? scopes,
        IReadOnlyList<string>? workloadIds, string? expiresAt, DateTimeOffset now, out string? beyond)
    {
        var errors = new ValidationErrors();
        IReadOnlyList<string> wantedScopes = creator.Scopes;
        if (scopes is not null)
        {
            if (scopes.Count == 0)
            {
                errors.Add("scopes", "Give at least one scope, or leave the field out for the creating key's own.");
            }
            // The refused value is not echoed: a secret pasted into the wrong field must not come back in an error.
            for (var i = 0; i < scopes.Count; i++)
            {
                if (!Scopes.IsKnown(scopes[i]))
                {
                    errors.Add("scopes", $"Item {i} is not a scope; expected * or {string.Join(", ", Scopes.Named)}.");
                }
            }
            wantedScopes = Scopes.Normalize(scopes);
        }
        var wantedWorkloads = creator.WorkloadIds;
        if (workloadIds is not null)
        {
            if (workloadIds.Count is 0 or > MaxWorkloads)
            {
                errors.Add("workloadIds", $"Give 1 to {MaxWorkloads} workload ids, or leave the field out.");
            }
            if (workloadIds.Any(id => !Ids.IsWellFormed(Ids.Workload, id)))
            {
                errors.Add("workloadIds", "Every item must be a workload id (wl_…).");
            }
            wantedWorkloads = [.. workloadIds.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        }
        var wantedEnd = creatorExpiresAt;
        if (expiresAt is not null)
        {
            if (!Instants.TryParse(expiresAt, out var at))
            {
                errors.Add("expiresAt", "Must be an RFC 3339 instant with an offset, e.g. 2026-12-01T12:00:00Z.");
            }
            else if (at <= now)
            {
                errors.Add("expiresAt", "Must be in the future.");
            }
            wantedEnd = Instants.Truncate(at);
        }
        errors.ThrowIfAny();

        beyond = !Scopes.CoversAll(creator.Scopes, wantedScopes) ? "scopes"
            : creator.WorkloadIds is not null && (wantedWorkloads is null || wantedWorkloads.Any(id => !creator.Sees(id))) ? "workloadIds"
            : creatorExpiresAt is { } end && (wantedEnd is null || wantedEnd > end) ? "expiresAt"
            : null;
        return new KeyGrant(wantedScopes, wantedWorkloads, wantedEnd);
    }

    /// <summary>True when a key with <paramref name="caller"/>'s grant could have created <paramref name="key"/> (so may list and revoke it).</summary>
    public static bool Covers(Caller caller, LicenseKey key) => Covers(caller, key.Scopes, key.WorkloadIds);

    /// <summary>True when <paramref name="caller"/> could have granted <paramref name="scopes"/> on <paramref name="workloadIds"/> (a key, or a member's role).</summary>
    public static bool Covers(Caller caller, IReadOnlyList<string> scopes, IReadOnlyList<string>? workloadIds) =>
        Scopes.CoversAll(caller.Scopes, scopes) &&
        (caller.WorkloadIds is null || (workloadIds is not null && workloadIds.All(caller.Sees)));

    /// <summary>Refuses (422 on <c>workloadIds</c>) a grant naming workloads the account does not have.</summary>
    public static async Task EnsureWorkloadsExistAsync(IWorkloadStore workloads, string accountId, IReadOnlyList<string>? workloadIds,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var missing = new List<string>();
        foreach (var id in workloadIds ?? [])
        {
            if (await workloads.GetWorkloadAsync(accountId, id, now, cancellationToken) is null)
            {
                missing.Add(id);
            }
        }
        if (missing.Count > 0)
        {
            throw TesseraException.Invalid("workloadIds", $"No workload with these ids exists in this account: {string.Join(", ", missing)}.");
        }
    }
}
