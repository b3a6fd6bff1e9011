using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace Tessera.Contracts;

/// <summary>A new invitation: the only response that carries its secret, and the link that holds it.</summary>
public sealed record CreatedInvitationResponse : InvitationResponse
{
    /// <summary>For deserialization.</summary>
    [JsonConstructor]
    public CreatedInvitationResponse()
    {
    }

    /// <summary>The invitation's fields plus its secret and link.</summary>
    [SetsRequiredMembers]
    public CreatedInvitationResponse(InvitationResponse invitation, string token, string link)
        : base(invitation)
    {
        Token = token;
        Link = link;
    }

    /// <summary>The one-time secret (<c>tsi_…</c>); only its SHA-256 is kept.</summary>
    public required string Token { get; init; }

    /// <summary>
    /// The link to send the invitee: the console's invitation page with the secret in the fragment (after <c>#</c>),
    /// which browsers never send to a server, so it stays out of access logs and Referer headers.
    /// </summary>
    public required string Link { get; init; }
}
