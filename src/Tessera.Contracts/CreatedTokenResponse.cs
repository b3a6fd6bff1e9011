using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace Tessera.Contracts;

/// <summary>A token just issued: the only response that ever carries its secret.</summary>
public sealed record CreatedTokenResponse : TokenResponse
{
    /// <summary>For deserialization.</summary>
    [JsonConstructor]
    public CreatedTokenResponse()
    {
    }

    /// <summary>The token's fields plus its secret.</summary>
    [SetsRequiredMembers]
    public CreatedTokenResponse(TokenResponse token, string secret)
        : base(token)
    {
        Token = secret;
    }

    /// <summary>The secret (<c>tsq_…</c>). Shown once; Tessera keeps only its hash.</summary>
    public required string Token { get; init; }
}
