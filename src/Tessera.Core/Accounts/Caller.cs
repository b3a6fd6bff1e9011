namespace Tessera.Core.Accounts;

/// <summary>Who is asking: the account, and the license key it authenticated with.</summary>
public sealed record Caller(string AccountId, string LicenseKeyId);
