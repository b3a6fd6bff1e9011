using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Tessera.Contracts;
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
/// The Tokens list: filters by workload, state (and "Expiring soon") and name, applied as they change (console.js; the
/// form is a plain GET form without script) and kept in the URL; four sorts; keyset paging; the count of matches, capped
/// (ADR 0021). Expiring tokens carry an amber badge with the time left. Each row: copy id, renew, and cancel after a
/// confirmation.
/// </summary>
[RequiredScope(Scopes.TokensRead)]
public sealed class TokensModel(TokenService tokens, WorkloadService workloads, WebhookOptions webhooks, TimeProvider time) : ConsolePageModel(time)
{
    private const int PageSize = 25;

    /// <summary>Matches are counted up to this many; more shows as "10,000+ tokens" (ADR 0021: bounded at a million tokens).</summary>
    public const int CountCap = 10_000;

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

    /// <summary>How many tokens match the filters, up to <see cref="CountCap"/> + 1.</summary>
    /// <summary>Null when counting took longer than <see cref="CountBudget"/>: the list is shown without its count.</summary>
    public long? MatchCount { get; private set; }

    /// <summary>
    /// How long the page waits for its count (ADR 0021): most filters count from an index in a millisecond, but a few
    /// combinations must walk many rows to find their matches, and the list itself must not wait on them.
    /// </summary>
    public static readonly TimeSpan CountBudget = TimeSpan.FromMilliseconds(250);

    /// <summary>"1,234 tokens", "1 token", "10,000+ tokens".</summary>
    public string CountText => MatchCount is null
        ? "Not counted: counting these filters took too long."
        : MatchCount > CountCap
        ? $"{CountCap.ToString("N0", CultureInfo.InvariantCulture)}+ tokens"
        : $"{MatchCount.Value.ToString("N0", CultureInfo.InvariantCulture)} {(MatchCount == 1 ? "token" : "tokens")}";

    /// <summary>The token asked to be cancelled (?cancel=…), shown with a confirmation.</summary>
    public QueryToken? ConfirmCancel { get; private set; }

    /// <summary>Filter values of the URL that this list does not know, named in a message instead of failing the page.</summary>
    private readonly List<string> _unknown = [];

    public bool Filtered => !string.IsNullOrEmpty(Workload) || !string.IsNullOrEmpty(State) || !string.IsNullOrEmpty(Q);

    public async Task OnGetAsync([FromQuery] string? done, [FromQuery] string? cancel, CancellationToken cancellationToken)
    {
        (string? Notice, string? Error) said = done switch
        {
            "deleted" => ("Token deleted. It stopped working at once.", null),
            "renewed" => ($"Token renewed. It now expires in {ConsoleHtml.Span(tokens.Lifetime)}.", null),
            "cancelled" => ("Token cancelled. Every call with it is refused from now on.", null),
            "unconfirmed" => (null, "The token was not cancelled: a cancel needs its confirmation. Confirm it below, or keep it."),
            "refused" => (null, "That token cannot take this change in its current state (a cancelled token must be reactivated on its page first); nothing was done."),
            "stale" => (null, "That token was changed elsewhere after this list was shown, so nothing was done. The list now shows its current state."),
            _ => (null, null),
        };
        (Notice, Error) = said;
        var query = await FiltersAsync(cancellationToken);
        if (_unknown.Count > 0)
        {
            Error = $"This link has a filter this list does not know ({string.Join(", ", _unknown)}); showing the list without it.";
        }
        try
        {
            (Items, NextCursor) = await tokens.ListAsync(Caller, query, new PageRequest(PageSize, Cursor), cancellationToken);
        }
        catch (TesseraException e) when (e.Kind == ProblemKind.BadRequest)
        {
            Error = e.Code == ErrorCodes.InvalidCursor ? "That page link is no longer valid; showing the first page." : LinkProblem(e);
            Cursor = null;
            query = query with { NameContains = null };
            (Items, NextCursor) = await tokens.ListAsync(Caller, query, new PageRequest(PageSize), cancellationToken);
        }
        using (var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            budget.CancelAfter(CountBudget);
            try
            {
                MatchCount = await tokens.CountMatchesAsync(Caller, query, CountCap, budget.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                MatchCount = null;
            }
        }
        if (cancel is not null && May(Scopes.TokensWrite))
        {
            ConfirmCancel = await FindAsync(cancel, cancellationToken) is { Status: TokenStatus.Active } token ? token : null;
        }
    }

    /// <summary>A row's Renew: the token's expiry set to the lifetime from now; back to the same view of the list.</summary>
    [RequiredScope(Scopes.TokensWrite)]
    public Task<IActionResult> OnPostRenewAsync([FromForm] string? tokenId, [FromForm] long? version, [FromForm] string? returnUrl,
        CancellationToken cancellationToken) =>
        ChangeAsync(returnUrl, "renewed", () => tokens.RenewAsync(Caller, tokenId ?? "", version, cancellationToken));

    /// <summary>A row's Cancel, from its confirmation only (<c>confirmed=yes</c>); without it nothing changes and the confirmation is shown.</summary>
    [RequiredScope(Scopes.TokensWrite)]
    public Task<IActionResult> OnPostCancelAsync([FromForm] string? tokenId, [FromForm] long? version, [FromForm] string? confirmed,
        [FromForm] string? returnUrl, CancellationToken cancellationToken)
    {
        if (confirmed != "yes")
        {
            var back = LocalOr(returnUrl, "/tokens");
            return Task.FromResult<IActionResult>(Redirect(QueryHelpers.AddQueryString(back, new Dictionary<string, string?>
            {
                ["cancel"] = tokenId ?? "",
                ["done"] = "unconfirmed",
            }) + "#confirm-cancel"));
        }
        return ChangeAsync(returnUrl, "cancelled", () =>
            tokens.UpdateAsync(Caller, tokenId ?? "", new TokenPatch { Status = Optional<string?>.Of(TokenNames.Of(TokenStatus.Cancelled)) }, version,
                cancellationToken));
    }

    /// <summary>Applies a row's change and shows the list as it was (PRG); a change made meanwhile elsewhere is reported, not overwritten.</summary>
    private async Task<IActionResult> ChangeAsync(string? returnUrl, string done, Func<Task<QueryToken>> change)
    {
        var back = LocalOr(returnUrl, "/tokens");
        try
        {
            await change();
        }
        catch (TesseraException e) when (e.Kind == ProblemKind.PreconditionFailed)
        {
            done = "stale";
        }
        catch (TesseraException e) when (e.Kind is ProblemKind.Conflict or ProblemKind.Validation)
        {
            done = "refused";
        }
        return Redirect(QueryHelpers.AddQueryString(back, "done", done));
    }

    /// <summary>The caller's token by id, or null (an edited link: no confirmation rather than a 404 page).</summary>
    private async Task<QueryToken?> FindAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            return await tokens.GetAsync(Caller, id, cancellationToken);
        }
        catch (TesseraException e) when (e.Kind is ProblemKind.NotFound or ProblemKind.BadRequest)
        {
            return null;
        }
    }

    /// <summary>This view of the list with a row's cancel confirmation (the no-script path of the row's Cancel).</summary>
    public string CancelLink(string tokenId) => QueryHelpers.AddQueryString(PageLink(Cursor), "cancel", tokenId) + "#confirm-cancel";

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
            _unknown.Add("workload");
            Workload = null;
        }
        var expiring = State == Expiring;
        TokenState? state = expiring ? TokenState.Usable : TokenNames.TryParseState(State, out var parsedState) ? parsedState : null;
        if (!expiring && state is null && !string.IsNullOrEmpty(State))
        {
            _unknown.Add("state");
        }
        State = expiring ? Expiring : state is { } s ? TokenNames.Of(s) : null;
        if (!string.IsNullOrEmpty(Sort) && !TokenNames.TryParseSort(Sort, out _))
        {
            _unknown.Add("sort");
        }
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
