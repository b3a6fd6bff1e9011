namespace Tessera.Core.Audit;

/// <summary>Who made a change (<see cref="AuditEntry.ActorType"/>); the actor id says which one.</summary>
public static class AuditActors
{
    /// <summary>A management API call; the id is the license key's id (<c>lic_…</c>).</summary>
    public const string LicenseKey = "license_key";

    /// <summary>The web console; the id is the console session's public id (never its cookie).</summary>
    public const string ConsoleSession = "console_session";

    /// <summary>A member signed in to the console as a person (issue 22); the id is the member's (<c>mem_…</c>), the entry also carries the email and the session.</summary>
    public const string Member = "member";

    /// <summary>The server's command line (<c>accounts create</c>); no id.</summary>
    public const string Admin = "admin";

    /// <summary>The server itself (the first account created on an empty database); no id.</summary>
    public const string System = "system";

    /// <summary>
    /// A leak report (issue 18): GitHub's secret scanning (id <c>github</c>), or another account's scanner (no
    /// id: one provider's key is never named in another's trail).
    /// </summary>
    public const string SecretScanning = "secret_scanning";

    /// <summary>Someone who did not prove who they are (a failed console sign-in); no id.</summary>
    public const string Anonymous = "anonymous";
}
