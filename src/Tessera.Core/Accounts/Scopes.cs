namespace Tessera.Core.Accounts;

/// <summary>
/// What a license key may do (API.md §8). A key holds a set of these; <see cref="All"/> (<c>*</c>) holds every
/// one, today's and any added later. A <c>:write</c> scope includes the <c>:read</c> scope of the same area:
/// a key that may change tokens may also see the tokens it changes (ADR 0011).
/// </summary>
public static class Scopes
{
    public const string All = "*";
    public const string TokensRead = "tokens:read";
    public const string TokensWrite = "tokens:write";
    public const string WorkloadsRead = "workloads:read";
    public const string WorkloadsWrite = "workloads:write";
    public const string AuditRead = "audit:read";
    public const string UsageRead = "usage:read";
    public const string WebhooksManage = "webhooks:manage";
    public const string KeysManage = "keys:manage";
    public const string Gateway = "gateway";

    /// <summary>Every named scope (without <c>*</c>), in the order the README and the console list them.</summary>
    public static readonly IReadOnlyList<string> Named =
        [TokensRead, TokensWrite, WorkloadsRead, WorkloadsWrite, AuditRead, UsageRead, WebhooksManage, KeysManage, Gateway];

    /// <summary>What a key that was given no scopes holds, and what the bootstrap key and every key made before scopes hold.</summary>
    public static readonly IReadOnlyList<string> Everything = [All];

    public static bool IsKnown(string scope) => scope == All || Named.Contains(scope);

    /// <summary>True when a key holding <paramref name="held"/> may do what <paramref name="needed"/> allows.</summary>
    public static bool Covers(IReadOnlyCollection<string> held, string needed)
    {
        if (held.Contains(All) || held.Contains(needed))
        {
            return true;
        }
        return needed.EndsWith(":read", StringComparison.Ordinal) && held.Contains(string.Concat(needed.AsSpan(0, needed.Length - 4), "write"));
    }

    /// <summary>True when every scope of <paramref name="wanted"/> is covered by <paramref name="held"/> (a key creating another key).</summary>
    public static bool CoversAll(IReadOnlyCollection<string> held, IReadOnlyCollection<string> wanted) =>
        held.Contains(All) || (!wanted.Contains(All) && wanted.All(s => Covers(held, s)));

    /// <summary>The canonical stored form: distinct, in <see cref="Named"/> order, and just <c>*</c> when it is there.</summary>
    public static IReadOnlyList<string> Normalize(IEnumerable<string> scopes)
    {
        var set = scopes.ToHashSet(StringComparer.Ordinal);
        return set.Contains(All) ? Everything : [.. Named.Where(set.Contains)];
    }
}
