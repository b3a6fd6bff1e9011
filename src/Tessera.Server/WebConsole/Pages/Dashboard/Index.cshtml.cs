using Tessera.Core.Accounts;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Core.Usage;
using Tessera.Server.Auth;

namespace Tessera.Server.WebConsole.Pages;

/// <summary>
/// The account at a glance and the console's home (ADR 0017): tokens by state, how many expire within 7 days, uses over
/// the last 24 hours and 30 days, the busiest tokens and workloads, the tokens expiring soonest.
/// </summary>
[RequiredScope(Scopes.UsageRead)]
public sealed class DashboardModel(UsageService usage, TokenService tokens, TimeProvider time) : ConsolePageModel(time)
{
    public const int Busiest = 5;
    public static readonly TimeSpan ExpiringWithin = TimeSpan.FromDays(7);
    private const int ExpiringShown = 10;

    public UsagePanel? Usage { get; private set; }

    public IReadOnlyList<UsageLeader> BusiestTokens { get; private set; } = [];

    public IReadOnlyList<UsageLeader> BusiestWorkloads { get; private set; } = [];

    /// <summary>Usable tokens expiring within <see cref="ExpiringWithin"/>, soonest first; null when the key may not read tokens.</summary>
    public IReadOnlyList<QueryToken>? Expiring { get; private set; }

    public bool MoreExpiring { get; private set; }

    /// <summary>The account's tokens by state and how many usable ones expire within <see cref="ExpiringWithin"/>; null when the key may not read tokens.</summary>
    public TokenCounts? Counts { get; private set; }

    /// <summary>The states in the order the dashboard shows them (the Tokens list's filter values).</summary>
    public static readonly TokenState[] States = [TokenState.Usable, TokenState.Unassigned, TokenState.Expired, TokenState.Cancelled];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Usage = await UsagePanel.LoadAsync(usage, Caller, "account-usage", null, null, cancellationToken);
        var month = TimeSpan.FromDays(30);
        BusiestTokens = await usage.LeadersAsync(Caller, byWorkload: false, month, Busiest, cancellationToken);
        BusiestWorkloads = await usage.LeadersAsync(Caller, byWorkload: true, month, Busiest, cancellationToken);
        if (May(Scopes.TokensRead))
        {
            Counts = await tokens.CountAsync(Caller, ExpiringWithin, cancellationToken);
            var query = new TokenQuery { State = TokenState.Usable, ExpiresBefore = Now + ExpiringWithin, Sort = TokenSort.ExpiresAt };
            var (items, next) = await tokens.ListAsync(Caller, query, new PageRequest(ExpiringShown), cancellationToken);
            (Expiring, MoreExpiring) = (items, next is not null);
        }
    }
}
