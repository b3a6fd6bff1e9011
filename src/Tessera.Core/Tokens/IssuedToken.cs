namespace Tessera.Core.Tokens;

/// <summary>A token just issued, with its secret: the only time the secret exists outside the caller's hands.</summary>
public sealed record IssuedToken(QueryToken Token, string Secret);
