namespace Tessera.Contracts;

/// <summary>A webhook endpoint (API.md §7). Its secret is shown only when created or rotated.</summary>
public record WebhookResponse
{
    /// <summary>Endpoint id (<c>wh_…</c>).</summary>
    public required string Id { get; init; }

    /// <summary>Where events are POSTed (https; http only where the server allows it).</summary>
    public required string Url { get; init; }

    /// <summary>The event types it receives, or <c>["*"]</c> for every type.</summary>
    public required IReadOnlyList<string> Events { get; init; }

    /// <summary>Free text, possibly empty.</summary>
    public required string Description { get; init; }

    /// <summary>False when disabled by a PATCH or by the server after failing for Tessera:Webhooks:DisableAfter.</summary>
    public required bool Enabled { get; init; }

    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it last changed.</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Optimistic-concurrency counter, also sent as the ETag.</summary>
    public required long Version { get; init; }
}
