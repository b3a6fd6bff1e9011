using Tessera.Core.Secrets;

namespace Tessera.Core.Storage;

/// <summary>One entry of the <see cref="ITokenChangeFeed"/>: the token with this secret hash changed.</summary>
public readonly record struct TokenChange(long Position, SecretHash Hash);
