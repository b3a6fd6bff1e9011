using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace Tessera.Contracts;

/// <summary>A webhook endpoint just created, or its secret just rotated: the only responses that carry the secret.</summary>
public sealed record CreatedWebhookResponse : WebhookResponse
{
    /// <summary>For deserialization.</summary>
    [JsonConstructor]
    public CreatedWebhookResponse()
    {
    }

    /// <summary>The endpoint's fields plus its secret.</summary>
    [SetsRequiredMembers]
    public CreatedWebhookResponse(WebhookResponse endpoint, string secret)
        : base(endpoint)
    {
        Secret = secret;
    }

    /// <summary>The signing secret (<c>whsec_</c> + base64 of 32 bytes). Shown once; kept encrypted by the server.</summary>
    public required string Secret { get; init; }
}
