using Tessera.Contracts;

namespace Tessera.Core.Webhooks;

/// <summary>A JSON merge patch of a webhook endpoint.</summary>
public sealed record WebhookPatch
{
    public Optional<string?> Url { get; init; }

    public Optional<IReadOnlyList<string>?> Events { get; init; }

    public Optional<string?> Description { get; init; }

    public Optional<bool?> Enabled { get; init; }
}
