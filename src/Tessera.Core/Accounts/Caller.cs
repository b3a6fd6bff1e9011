namespace Tessera.Core.Accounts;

/// <summary>
/// Who is asking: the account, the license key it authenticated with, and for the audit trail the
/// client's address and, in the web console, the console session's public id (never its cookie).
/// </summary>
public sealed record Caller(string AccountId, string LicenseKeyId, string? ClientIp = null, string? ConsoleSessionId = null);
