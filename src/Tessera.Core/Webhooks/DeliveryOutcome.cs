using Tessera.Core.Audit;

namespace Tessera.Core.Webhooks;

/// <summary>
/// What one attempt of <see cref="Delivery"/> came to. <see cref="NextAttemptAt"/> null with a failure means it gave
/// up (<c>failed</c>). An endpoint failing since before <see cref="DisableIfFailingSince"/> is disabled, recorded by
/// <see cref="Disabled"/>.
/// </summary>
public sealed record DeliveryOutcome(
    DueDelivery Delivery,
    DateTimeOffset At,
    bool Succeeded,
    int? ResponseStatus,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset DisableIfFailingSince,
    AuditEntry Disabled);
