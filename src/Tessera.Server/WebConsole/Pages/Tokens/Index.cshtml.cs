using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Tessera.Core;
using Tessera.Core.Accounts;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Core.Webhooks;
using Tessera.Core.Workloads;
using Tessera.Server.Auth;
using Tessera.Server.Endpoints;

namespace Tessera.Server.WebConsole.Pages;

/// <summary>
/// The Tokens list: filters by workload, state (and "Expiring soon") and name; four sorts; keyset paging. Expiring
/// tokens carry an amber badge with the time left.
/// </summary>
[RequiredScope(Scopes.TokensRead)]
public sealed class TokensModel(TokenService tokens, WorkloadService workloads, WebhookOptions webhooks, TimeProvider time) : ConsolePageModel(time)
{
    private const int PageSize = 25;

    /// <summary>The "Expiring soon" filter: as the API's <c>state=expiring</c>, usable and expiring within the first expiry warning.</summary>
    public const string Expiring = "expiring";

    /// <summary>How soon "expiring soon" is (Tessera:Webhooks:ExpiryWarnings' longest threshold, 7 days by default).</summary>
    public TimeSpan ExpiringWithin => webhooks.ExpiringWithin;

    public static readonly TokenState[] States = [TokenState.Usable, TokenState.Unassigned, TokenState.Expired, TokenState.Cancelled];

    public static readonly (string Value, string Label)[] Sorts =
    [
        ("createdAt", "Newest first"),
        ("expiresAt", "Expiring soonest"),
        ("name", "Name A–Z"),
        ("lastUsedAt", "Recently used"),
    ];

    [BindProperty(SupportsGet = true, Name = "workload")]
    public string? Workload { get; set; }

    [BindProperty(SupportsGet = true, Name = "state")]
    public string? State { get; set; }

    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Q { get; set; }

    [BindProperty(SupportsGet = true, Name = "sort")]
    public string? Sort { get; set; }

    [BindProperty(SupportsGet = true, Name = "cursor")]
    public string? Cursor { get; set; }

    public IReadOnlyList<Workload> Workloads { get; private set; } = [];

    public IReadOnlyDictionary<string, string> WorkloadNames { get; private set; } = new Dictionary<string, string>();

    public IReadOnlyList<QueryToken> Items { get; private set; } = [];

    public string? NextCursor { get; private set; }

    public bool Filtered => !string.IsNullOrEmpty(Workload) || !string.IsNullOrEmpty(State) || !string.IsNullOrEmpty(Q);

    public async Task OnGetAsync([FromQuery] string? done, CancellationToken cancellationToken)
    {
        Notice = done == "deleted" ? "Token deleted. It stopped working at once." : null;
        var query = await FiltersAsync(cancellationToken) with { Limit = PageSize };
        try
        {
            (Items, NextCursor) = await tokens.ListAsync(Caller, query, Cursor, cancellationToken);
        }
        catch (TesseraException e) when (e.Kind == ProblemKind.BadRequest)
        {
            Error = e.Code == ErrorCodes.InvalidCursor ? "That page link is no longer valid; showing the first page." : e.Message;
            Cursor = null;
            (Items, NextCursor) = await tokens.ListAsync(Caller, query with { NameContains = null }, null, cancellationToken);
        }
    }

    /// <summary>"Export CSV": every token matching the list's filters, in its order, streamed as the API's CSV export.</summary>
    [RequiredScope(Scopes.TokensRead)]
    public async Task<IActionResult> OnGetExportAsync([FromServices] TimeProvider clock, CancellationToken cancellationToken)
    {
        var query = await FiltersAsync(cancellationToken);
        return new HttpResultAction(TokenCsvEndpoints.Export(HttpContext, Caller, query, tokens, workloads, clock));
    }

    /// <summary>The list's filters from the query string; unknown values (an edited URL) fall back to "any" rather than failing the page.</summary>
    private async Task<TokenQuery> FiltersAsync(CancellationToken cancellationToken)
    {
        Workloads = await WorkloadChoices.AllAsync(workloads, Caller, cancellationToken);
        WorkloadNames = Workloads.ToDictionary(w => w.Id, w => w.Name, StringComparer.Ordinal);

        if (!string.IsNullOrEmpty(Workload) && Workload != "none" && !WorkloadNames.ContainsKey(Workload))
        {
            Workload = null;
        }
        var expiring = State == Expiring;
        TokenState? state = expiring ? TokenState.Usable : TokenNames.TryParseState(State, out var parsedState) ? parsedState : null;
        State = expiring ? Expiring : state is { } s ? TokenNames.Of(s) : null;
        // Expiring soon reads best soonest first, unless another order was asked for.
        var sort = TokenNames.TryParseSort(Sort, out var parsedSort) ? parsedSort : expiring ? TokenSort.ExpiresAt : TokenSort.CreatedAt;
        Sort = TokenNames.Of(sort);
        Q = string.IsNullOrWhiteSpace(Q) ? null : Q.Trim();

        return new TokenQuery
        {
            UnassignedOnly = Workload == "none",
            WorkloadId = Workload is null or "none" ? null : Workload,
            State = state,
            ExpiresBefore = expiring ? Now + webhooks.ExpiringWithin : null,
            NameContains = Q,
            Sort = sort,
        };
    }

    /// <summary>The CSV export of this list with its filters and order (every page).</summary>
    public string ExportLink => QueryHelpers.AddQueryString(PageLink(null), "handler", "export");

    /// <summary>This list with the same filters, at <paramref name="cursor"/> (null: the first page).</summary>
    public string PageLink(string? cursor)
    {
        var query = new Dictionary<string, string?>(StringComparer.Ordinal);
        void Add(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                query[key] = value;
            }
        }
        Add("workload", Workload);
        Add("state", State);
        Add("q", Q);
        Add("sort", Sort == "createdAt" ? null : Sort);
        Add("cursor", cursor);
        return QueryHelpers.AddQueryString("/tokens", query);
    }
}
