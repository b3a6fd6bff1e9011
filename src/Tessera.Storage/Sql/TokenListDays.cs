using System.Text;
using Dapper;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;

namespace Tessera.Storage.Sql;

/// <summary>
/// A range on one instant sorted by another, read day by day (issue 23, ADR 0012 "Day by day"): createdFrom/createdTo
/// sorted by name, expiry or last use; expiresBefore or state=expired sorted by creation, name or last use. The
/// instant-day indexes (SQLite migrations 0016 and 0017, PostgreSQL 0017 and 0018) hold the account's tokens by the UTC
/// day of the ranged instant and their status, then in the sort's order; each day (and status) of the range gives at most
/// a page from where the cursor stands, and the days' pages are merged into one. A page then costs a page per day, however many
/// tokens the range holds and wherever they come in the sort's order (walking that order, or sorting the range, cost up
/// to the account's size). A day the range only partly covers is tested on the index entry, which holds the instant.
/// </summary>
internal static class TokenListDays
{
    /// <summary>The length of a day of the indexes, in ms: the expression <c>instant / 86400000</c> is written exactly so in the migration.</summary>
    public const long DayMs = 86_400_000;

    /// <summary>
    /// The status as the creation-day indexes hold it (migration 0016), an expression written exactly so in the queries.
    /// Tested as the plain column, it would let PostgreSQL's planner prove the partial indexes of cancelled tokens for a
    /// day's cancelled part and walk the account's cancelled tokens in the sort's order instead: over a second for a page
    /// after a cursor at a million tokens (docs/perf.md).
    /// </summary>
    public const string Status = "(t.status || '')";

    /// <summary>
    /// The status as the expiry-day indexes hold it (migration 0017): an active token whose expiry
    /// <see cref="PassedExpiries"/> saw pass is held as <c>expired</c>, for as long as its expiry is the one marked (a
    /// renewal makes it active again without a write). A pile of tokens that expired at one instant shares that expiry's
    /// day with the tokens still to expire in it, which a usable page reads; the creation days spread such a pile over
    /// many days and keep <see cref="Status"/> (there the mark would leave the active part of a day of an expired page
    /// without matches, each a walk of that day).
    /// </summary>
    public const string ExpiryStatus = "(CASE WHEN t.status = 'active' AND t.passed_expiry = t.expires_at THEN 'expired' ELSE t.status END)";

    /// <summary>The most days a page is read from; a range over more days is left to the other plans.</summary>
    public const int MostDays = 32;

    /// <summary>The ranged instant's filter and the range in ms, from (inclusive) to (exclusive).</summary>
    internal readonly record struct Range(TokenListNarrowing Instant, long From, long To)
    {
        public string Column => Instant == TokenListNarrowing.Created ? "t.created_at" : "t.expires_at";
    }

    /// <summary>
    /// The range to read day by day: a created range when the sort is another, else an expiry bound (<c>expiresBefore</c>,
    /// <c>state=expired</c>; usable and unassigned tokens expire after now) when the sort is not the expiry. Null otherwise.
    /// </summary>
    public static Range? RangeOf(TokenQuery query)
    {
        if ((query.CreatedFrom is not null || query.CreatedTo is not null) && query.Sort != TokenSort.CreatedAt)
        {
            return new Range(TokenListNarrowing.Created, query.CreatedFrom is { } from ? Ms.Of(from) : long.MinValue,
                query.CreatedTo is { } to ? Ms.Of(to) : long.MaxValue);
        }
        if ((query.ExpiresBefore is not null || query.State == TokenState.Expired) && query.Sort != TokenSort.ExpiresAt)
        {
            var now = Ms.Of(query.Now);
            var to = Math.Min(query.ExpiresBefore is { } before ? Ms.Of(before) : long.MaxValue, query.State == TokenState.Expired ? now + 1 : long.MaxValue);
            var from = query.State is TokenState.Usable or TokenState.Unassigned ? now + 1 : long.MinValue;
            return new Range(TokenListNarrowing.Expires, from, to);
        }
        return null;
    }

    /// <summary>
    /// The days of the account that hold an instant in <paramref name="range"/>, ascending, at most
    /// <see cref="MostDays"/> + 1 of them (more means too many): one seek of the instant's index per day, skipping days
    /// without tokens.
    /// </summary>
    public static (string Sql, DynamicParameters Parameters) Days(string accountId, Range range)
    {
        var (days, parameters) = DaysOf(accountId, range);
        return ($"{days}\nSELECT d FROM days WHERE d IS NOT NULL", parameters);
    }

    /// <summary>The common table <c>days (d, n)</c> of <see cref="Days"/>: each day that holds the range (d null past the last).</summary>
    private static (string With, DynamicParameters Parameters) DaysOf(string accountId, Range range)
    {
        var parameters = new DynamicParameters();
        parameters.Add("accountId", accountId);
        parameters.Add("from", range.From);
        parameters.Add("to", range.To);
        parameters.Add("mostDays", MostDays);
        var first = $"SELECT MIN({range.Column}) FROM query_tokens t WHERE t.account_id = @accountId AND {range.Column} >= @from AND {range.Column} < @to";
        var next = $"SELECT MIN({range.Column}) FROM query_tokens t WHERE t.account_id = @accountId AND {range.Column} >= (days.d + 1) * {DayMs} AND {range.Column} < @to";
        return ($"""
            WITH RECURSIVE days (d, n) AS (
                SELECT ({first}) / {DayMs}, 1
                UNION ALL
                SELECT ({next}) / {DayMs}, days.n + 1 FROM days WHERE days.d IS NOT NULL AND days.n <= @mostDays)
            """, parameters);
    }

    /// <summary>
    /// Whether <see cref="SortBound"/> may bound <paramref name="query"/>'s walk: sorted by the other instant of the two a
    /// token's lifetime ties (an expiry is set at or after the creation, to at most a lifetime later), so a range on one
    /// puts its tokens at one end of the other's order; or by last use, where the tokens never used sort by their id, which
    /// follows their creation (a version 7 UUID), so an expiry bound's never-used tokens come last there too; but only where
    /// a walk pays nothing for a bound it does not need (<see cref="SqlDatabase.TestsEveryIndexConditionOnEachEntry"/>
    /// false): a last-use bound rarely narrows when some of the range's tokens were used lately. Names follow no instant;
    /// their walks are not bounded.
    /// </summary>
    public static bool BoundsSort(SqlDatabase database, TokenQuery query) =>
        query.Sort is TokenSort.CreatedAt or TokenSort.ExpiresAt || (query.Sort == TokenSort.LastUsedAt && !database.TestsEveryIndexConditionOnEachEntry);

    /// <summary>
    /// Per day that holds <paramref name="range"/> (up to <see cref="MostDays"/> + 1, as <see cref="Days"/>) and per
    /// status the page can hold there, the furthest position in the page's sort order among the part's tokens (null where
    /// the part is empty): the key and id of the newest for a sort from the newest, of the oldest for one from the oldest.
    /// The day index of the range's instant and the sort (<see cref="Index"/>) holds each part in the sort's order, so each
    /// is one seek. The furthest of them is a bound no token of the range sorts beyond, whatever its other filters (a
    /// workload, a name), so a walk of the sort order may start there (<see cref="Furthest"/>, <see cref="TokenListSql.Page"/>).
    /// A bound taken over more days than counted would not be one: the caller uses it only when at most
    /// <see cref="MostDays"/> days hold the range.
    /// </summary>
    public static (string Sql, DynamicParameters Parameters) SortBound(SqlDatabase database, string accountId, TokenQuery query, Range range)
    {
        var (days, parameters) = DaysOf(accountId, range);
        var (key, descending) = TokenListSql.SortKey(database, query.Sort);
        var held = range.Instant == TokenListNarrowing.Expires ? ExpiryStatus : Status;
        var direction = descending ? "DESC" : "ASC";
        // Today's statuses are every day's (a day after tomorrow holds no token marked expired: that part is empty).
        var parts = StatusesOf(query, range.Instant, Ms.Of(query.Now) / DayMs).Select(status =>
        {
            // One subquery per part, its position as one text (the key, a space, the id): a second subquery for the id
            // doubled what PostgreSQL plans on every call.
            var position = $"(SELECT {key} || ' ' || t.id FROM query_tokens t WHERE t.account_id = @accountId AND {range.Column} / {DayMs} = days.d AND {held} = '{status}' ORDER BY {key} {direction}, t.id {direction} LIMIT 1)";
            return $"SELECT days.d AS part_day, {position} AS part_position FROM days WHERE days.d IS NOT NULL";
        });
        return ($"{days}\n{string.Join(" UNION ALL ", parts)}", parameters);
    }

    /// <summary>
    /// The days <see cref="SortBound"/>'s parts counted and the furthest of their positions in the sort's order (null where
    /// every part is empty: no token of the range). A position is the key and the id with a space between (ids have none);
    /// ids compare by ordinal, as the databases order them (SQLite's BINARY, the "C" collation of PostgreSQL's id columns).
    /// </summary>
    public static (int Days, TokenListBound? Bound) Furthest(SqlDatabase database, TokenQuery query, IEnumerable<(long Day, string? Position)> parts)
    {
        var list = parts.ToList();
        var descending = TokenListSql.SortKey(database, query.Sort).Descending;
        TokenListBound? furthest = null;
        foreach (var (_, position) in list)
        {
            if (position?.Split(' ') is not [var text, var id])
            {
                continue;
            }
            var k = long.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
            var order = furthest is { } f ? (k != f.Key ? k.CompareTo(f.Key) : string.CompareOrdinal(id, f.Id)) : 1;
            if (furthest is null || (descending ? order > 0 : order < 0))
            {
                furthest = new TokenListBound(k, id);
            }
        }
        return (list.Select(p => p.Day).Distinct().Count(), furthest);
    }

    /// <summary>
    /// The page's SELECT: per day, the page's filters and the day's entries of the index by that day and the sort, from
    /// the cursor, a page and one more; then the days' rows merged in the sort's order, a page and one more of them.
    /// </summary>
    public static (string Sql, DynamicParameters Parameters) Page(SqlDatabase database, string accountId, TokenQuery query, Range range,
        IReadOnlyList<long> days)
    {
        var (key, descending) = TokenListSql.SortKey(database, query.Sort);
        // Every day's SELECT is the same but for its day: the filters, the cursor and the order are written once.
        var (filtered, parameters) = TokenListSql.Filtered(database, accountId, query, range.Instant, $"{TokenListSql.Columns}, {key} AS sort_key",
            Index(range.Instant, query.Sort), testsStatus: false);
        var page = new StringBuilder();
        Keyset.Page(page, parameters, key, "t.id", descending, query.Sort == TokenSort.Name ? query.After?.Text : query.After?.Number,
            query.After?.Id, query.Limit, least: TokenListSql.LeastKey(query.Sort));
        // The indexes hold each day's tokens by status, then in the sort's order (migrations 0016, 0017): each day is read
        // once per status the page can hold, and the days' and statuses' pages are merged.
        var held = range.Instant == TokenListNarrowing.Expires ? ExpiryStatus : Status;
        var direction = descending ? "DESC" : "ASC";
        var parts = days.SelectMany(day => StatusesOf(query, range.Instant, day).Select(status => (Day: day, Status: status))).ToList();
        if (database.JoinsLaterally && parts.Count >= FewestLateralParts)
        {
            parameters.Add("partDays", parts.Select(p => p.Day).ToArray());
            parameters.Add("partStatuses", parts.Select(p => p.Status).ToArray());
            return ($"SELECT d.* FROM unnest(@partDays, @partStatuses) AS p (day, status) CROSS JOIN LATERAL ({filtered} AND {range.Column} / {DayMs} = p.day AND {held} = p.status{page}) AS d ORDER BY d.sort_key {direction}, d.id {direction} LIMIT @take",
                parameters);
        }
        var arms = parts.Select(p => $"{filtered} AND {range.Column} / {DayMs} = {p.Day} AND {held} = '{p.Status}'{page}").ToList();
        if (arms is [var only])
        {
            return (only, parameters);
        }
        return (string.Join(" UNION ALL ", arms.Select((arm, i) => $"SELECT * FROM ({arm}) AS d{i}")) + $" ORDER BY sort_key {direction}, id {direction} LIMIT @take",
            parameters);
    }

    /// <summary>
    /// The fewest days and statuses a page joins laterally (<see cref="SqlDatabase.JoinsLaterally"/>). Fewer are planned as
    /// a UNION ALL's arms in well under a millisecond (0.17 ms an arm), each for its own day: a lateral SELECT is planned
    /// for any day at once, and took the unassigned tokens of one day's window for 26 a day where 833 are, reading them
    /// from the index by expiry and sorting them by name (3 → 17 ms at a million tokens).
    /// </summary>
    public const int FewestLateralParts = 5;

    private static readonly string Active = TokenNames.Of(TokenStatus.Active);
    private static readonly string Cancelled = TokenNames.Of(TokenStatus.Cancelled);
    private static readonly string Expired = TokenNames.Of(TokenState.Expired);

    /// <summary>
    /// The values of the status key a page's tokens can have on <paramref name="day"/>. Of <see cref="ExpiryStatus"/>: only
    /// <c>active</c> for a usable or unassigned page (a token held as expired is), <c>active</c> and <c>expired</c> for
    /// another page of active tokens (the marker may not have seen an expiry pass yet), <c>cancelled</c> for the cancelled,
    /// all three when the filters fix no status; but <c>expired</c> only up to tomorrow's day: a mark is an expiry that has
    /// passed, so no later day holds one (tomorrow's, for a server whose clock is behind the marker's). Of
    /// <see cref="Status"/>: the status the filters fix, or both.
    /// </summary>
    internal static IEnumerable<string> StatusesOf(TokenQuery query, TokenListNarrowing instant, long day)
    {
        var status = TokenListSql.StatusOf(query);
        if (status != TokenStatus.Cancelled)
        {
            yield return Active;
        }
        var marked = instant == TokenListNarrowing.Expires && day <= (Ms.Of(query.Now) / DayMs) + 1;
        if (marked && status != TokenStatus.Cancelled && query.State is not (TokenState.Usable or TokenState.Unassigned))
        {
            yield return Expired;
        }
        if (status != TokenStatus.Active)
        {
            yield return Cancelled;
        }
    }

    /// <summary>The migration's index of the ranged instant's day and the sort.</summary>
    public static string Index(TokenListNarrowing instant, TokenSort sort) =>
        $"ix_query_tokens_{(instant == TokenListNarrowing.Created ? "created" : "expires")}_day_{sort switch
        {
            TokenSort.Name => "name",
            TokenSort.ExpiresAt => "expires",
            TokenSort.LastUsedAt => "last_used",
            _ => "created",
        }}";
}
