namespace Tessera.Core.Accounts;

/// <summary>
/// Who is asking: the account, the license key it authenticated with, and for the audit trail the
/// client's address and, in the web console, the console session's public id (never its cookie).
/// <see cref="Scopes"/> and <see cref="WorkloadIds"/> are the key's own (API.md §8): the doors check the scopes
/// where each endpoint is mapped, the use cases keep a workload-bound key inside its workloads.
/// </summary>
public sealed record Caller(string AccountId, string LicenseKeyId, string? ClientIp = null, string? ConsoleSessionId = null)
{
    /// <summary>The key's scopes; a caller built without them (the server's own commands, store tests) holds all.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = Accounts.Scopes.Everything;

    /// <summary>The only workloads the key may see and place tokens in; null when it is not bound to any.</summary>
    public IReadOnlyList<string>? WorkloadIds { get; init; }

    /// <summary>
    /// The member (mem_…) when a person signed in to the console rather than with a key; the audit trail names them. Such a
    /// caller's <see cref="LicenseKeyId"/> holds the member id too: the credential that authenticated it, which no key list has.
    /// </summary>
    public string? MemberId { get; init; }

    /// <summary>The signed-in member's email, for the audit trail.</summary>
    public string? MemberEmail { get; init; }

    public bool Holds(string scope) => Accounts.Scopes.Covers(Scopes, scope);

    /// <summary>True when the key may see <paramref name="workloadId"/> and the tokens in it (null: an unassigned token).</summary>
    public bool Sees(string? workloadId) => WorkloadIds is null || (workloadId is not null && WorkloadIds.Contains(workloadId));

    /// <summary>Refuses (403 workload_not_allowed) to create, move or leave a token in <paramref name="workloadId"/> outside the key's workloads.</summary>
    public void EnsureMayPlaceIn(string? workloadId)
    {
        if (!Sees(workloadId))
        {
            throw new TesseraException(ProblemKind.Forbidden, ErrorCodes.WorkloadNotAllowed, workloadId is null
                ? "This license key is bound to workloads; its tokens cannot be unassigned."
                : "This license key is not allowed to place tokens in that workload.");
        }
    }

    /// <summary>Refuses (403 workload_not_allowed) what spans the whole account to a key bound to some workloads.</summary>
    public void EnsureUnbound(string detail)
    {
        if (WorkloadIds is not null)
        {
            throw new TesseraException(ProblemKind.Forbidden, ErrorCodes.WorkloadNotAllowed, detail);
        }
    }
}
