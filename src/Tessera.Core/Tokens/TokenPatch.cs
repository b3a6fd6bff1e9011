using Tessera.Contracts;

namespace Tessera.Core.Tokens;

/// <summary>
/// A JSON merge patch of a token (RFC 7396): only the fields that are set change. A null
/// <see cref="WorkloadId"/> unassigns; a null note clears it. Values are raw (expiresAt as RFC 3339 text) and validated by the use case, so every door validates alike.
/// </summary>
public sealed record TokenPatch
{
    public Optional<string?> Name { get; init; }

    public Optional<string?> Note { get; init; }

    public Optional<string?> WorkloadId { get; init; }

    public Optional<string?> Status { get; init; }

    public Optional<string?> ExpiresAt { get; init; }

    public bool IsEmpty => !Name.IsSet && !Note.IsSet && !WorkloadId.IsSet && !Status.IsSet && !ExpiresAt.IsSet;
}
