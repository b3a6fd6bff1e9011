using Tessera.Contracts;

namespace Tessera.Core.Members;

/// <summary>A merge patch of a member: what an owner or admin may change (the email is who the person is, and stays).</summary>
public sealed record MemberPatch
{
    public Optional<string?> Role { get; init; }

    public Optional<string?> DisplayName { get; init; }

    /// <summary>Null unbinds the member (every workload).</summary>
    public Optional<IReadOnlyList<string>?> WorkloadIds { get; init; }
}
