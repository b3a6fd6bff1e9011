using Tessera.Core.Secrets;

namespace Tessera.Core.Tokens;

/// <summary>
/// How the write side tells the read side that what it may remember changed (ADR 0023): the use cases that change
/// tokens and workloads call this port after their change committed, and the query side's memory
/// (<see cref="Verification.KnownTokens"/>) implements it. The use cases do not know the query side exists; another
/// server learns of the same change from the token change feed.
/// </summary>
public interface ITokenChangeListener
{
    /// <summary>The token with this secret hash was issued, changed or deleted.</summary>
    void TokenChanged(in SecretHash hash);

    /// <summary>The workload was renamed or deleted: its tokens report its name, and a deleted one's are unassigned.</summary>
    void WorkloadChanged(string workloadId);
}
