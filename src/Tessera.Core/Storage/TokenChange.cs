using Tessera.Core.Secrets;

namespace Tessera.Core.Storage;

/// <summary>
/// One entry of the <see cref="ITokenChangeFeed"/>: the token with this secret hash changed, in this account (null for
/// rows written before migration 0010), whose gateways' long polls are woken by it.
/// </summary>
public readonly record struct TokenChange(long Position, SecretHash Hash, string? AccountId = null);
