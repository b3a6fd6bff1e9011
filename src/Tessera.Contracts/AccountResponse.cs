namespace Tessera.Contracts;

/// <summary>The caller's account.</summary>
/// <param name="Id">Account id (<c>acct_…</c>).</param>
/// <param name="Name">Display name.</param>
/// <param name="CreatedAt">When the account was created (UTC).</param>
public sealed record AccountResponse(string Id, string Name, DateTimeOffset CreatedAt);
