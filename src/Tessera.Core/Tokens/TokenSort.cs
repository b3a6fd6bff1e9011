namespace Tessera.Core.Tokens;

/// <summary>
/// List orders: createdAt newest first, expiresAt soonest first, name A→Z (case-insensitive),
/// lastUsedAt most recent first with never-used last. Ties break on id in the same direction.
/// </summary>
public enum TokenSort
{
    CreatedAt,
    ExpiresAt,
    Name,
    LastUsedAt,
}
