using Tessera.Core.Accounts;

namespace Tessera.Core.Members;

/// <summary>
/// What a member may do: each role is a fixed set of the scopes of API.md §8 (ADR 0018), so the console and the API
/// check a person exactly as they check a key. The sets are fixed in code, not stored: changing what a role means
/// changes it for every member at once, which is the point of a role.
/// </summary>
public static class Roles
{
    public const string Owner = "owner";
    public const string Admin = "admin";
    public const string Developer = "developer";
    public const string Viewer = "viewer";

    /// <summary>Every role, widest first (the order the console lists them).</summary>
    public static readonly IReadOnlyList<string> All = [Owner, Admin, Developer, Viewer];

    public static bool IsKnown(string? role) => role is not null && All.Contains(role, StringComparer.Ordinal);

    /// <summary>
    /// The scopes of <paramref name="role"/>. An owner holds <c>*</c>; an admin everything a person needs but the
    /// machine-only <c>gateway</c> feed (and so cannot make owners: <c>*</c> is beyond it); a developer works with
    /// workloads and tokens and reads usage and the trail; a viewer only reads workloads, tokens and usage.
    /// </summary>
    public static IReadOnlyList<string> ScopesOf(string role) => role switch
    {
        Owner => Scopes.Everything,
        Admin => [Scopes.TokensWrite, Scopes.WorkloadsWrite, Scopes.AuditRead, Scopes.UsageRead, Scopes.WebhooksManage, Scopes.KeysManage],
        Developer => [Scopes.TokensWrite, Scopes.WorkloadsWrite, Scopes.AuditRead, Scopes.UsageRead],
        Viewer => [Scopes.TokensRead, Scopes.WorkloadsRead, Scopes.UsageRead],
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Not a role."),
    };
}
