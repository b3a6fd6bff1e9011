using System.Text;
using Dapper;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;

namespace Tessera.Storage.Sql;

/// <summary>
/// The SQL of one token list page, shaped for the indexes of migration 0007 (ADR 0012): every filter is a
/// condition an index can seek or test, the keyset position is a row value (an index seeks to it; an OR of two
/// comparisons made SQLite walk every earlier row), and status values are literals so the partial index of
/// cancelled tokens can be proven to apply.
/// </summary>
internal static class TokenListSql
{
    /// <summary>
    /// Names of at least this many characters are searched as substrings through the trigram index; shorter ones
    /// as prefixes through the name index (a trigram index cannot find one or two characters).
    /// </summary>
    public const int SubstringMinimum = 3;

    internal const string Columns =
        "t.id, t.account_id, t.workload_id, t.name, t.note, t.status, t.token_hash, t.hint, t.created_at, t.updated_at, t.expires_at, t.last_used_at, t.use_count, t.version, t.leaked_at, t.leak_url, t.leak_source";

    /// <summary>
    /// The page's SELECT. <paramref name="narrowing"/> names the filter whose own index finds the rows (then sorted:
    /// few, by the store's count); every other range filter is only tested on the rows the sort order's index walks
    /// (on SQLite written <c>+column</c>, which no index can serve, so its planner cannot pick a range that matches half
    /// the account and sort it). Where the database weighs filters itself (<see cref="SqlDatabase.PlansListFilters"/>)
    /// every filter is plain and the planner chooses. A walk of the sort order (<paramref name="narrowing"/> None) starts
    /// at <paramref name="sortBound"/> where given (<see cref="TokenListDays.SortBound"/>): no token of the page's range
    /// sorts beyond it, so the entries before it are sought past, not walked.
    /// </summary>
    public static (string Sql, DynamicParameters Parameters) Page(SqlDatabase database, string accountId, TokenQuery query, TokenListNarrowing narrowing,
        TokenListBound? sortBound = null)
    {
        // A workload's range found through that workload's index of the instant (the store counted it so): SQLite's planner
        // walked the workload's sort order instead, past the workload's other days (12-18 ms at a million tokens).
        var hint = narrowing switch
        {
            TokenListNarrowing.Created or TokenListNarrowing.Expires when OfOneWorkload(query) =>
                $"ix_query_tokens_workload_{(narrowing == TokenListNarrowing.Created ? "created" : "expires")}",
            TokenListNarrowing.CancelledOfWorkload => CancelledOfWorkloadIndex,
            _ => null,
        };
        var (sql, parameters) = Filtered(database, accountId, query, narrowing, indexHint: hint);
        var (key, descending) = SortKey(database, query.Sort);
        if (database.PlansListFilters && narrowing != TokenListNarrowing.None)
        {
            // PostgreSQL: the store counted this filter's rows (a range of one instant sorted by another) and they are few,
            // so the page must be found through it and sorted; the planner walked the sort's index instead (the cancelled
            // tokens' name index through a created range: 65-100 ms). The key, unchanged in value and order, as an
            // expression no index holds.
            key = query.Sort == TokenSort.Name ? $"({key} || '')" : $"({key} + 0)";
        }
        if (sortBound is { } bound && narrowing == TokenListNarrowing.None)
        {
            // The bound's key, inclusive; and where that is the last-use key of the tokens never used, the least there is,
            // its id too: that tie is often a twentieth of an account or more, in the order of the ids, which follow the
            // tokens' creation. Written as scalars, not as the row value (key, id) <= (…): PostgreSQL tests a row
            // comparison on each entry it walks, and the walks from a bound that narrows little took twice as long.
            parameters.Add("boundKey", bound.Key);
            if (query.Sort == TokenSort.LastUsedAt && bound.Key == NeverUsed)
            {
                sql.Append($" AND {key} = @boundKey AND t.id <= @boundId");
                parameters.Add("boundId", bound.Id);
            }
            else
            {
                sql.Append($" AND {key} {(descending ? "<=" : ">=")} @boundKey");
            }
        }
        // The unassigned tokens (workload_id IS NULL) are read from a workload index in the sort's order: PostgreSQL walked the
        // account's sort index instead, testing each row, 80–90 ms a page at a million tokens.
        Keyset.Page(sql, parameters, key, "t.id", descending, query.Sort == TokenSort.Name ? query.After?.Text : query.After?.Number, query.After?.Id,
            query.Limit, query.UnassignedOnly ? "t.workload_id" : null, LeastKey(query.Sort));
        return (sql.ToString(), parameters);
    }

    /// <summary>The partial index of cancelled tokens by workload (migration 0018).</summary>
    internal const string CancelledOfWorkloadIndex = "ix_query_tokens_workload_cancelled";

    /// <summary>
    /// The filters of <paramref name="query"/> that have an index of their own in another order than the sort's: the
    /// candidates to find the rows by, where the database cannot weigh them itself (and, on any database, one workload's
    /// cancelled tokens, which its planner took for a tenth of the workload's when none or few are).
    /// </summary>
    public static IEnumerable<TokenListNarrowing> Narrowings(TokenQuery query)
    {
        if (OfOneWorkload(query) && StatusOf(query) == TokenStatus.Cancelled)
        {
            yield return TokenListNarrowing.CancelledOfWorkload;
        }
        if (!string.IsNullOrEmpty(query.NameContains))
        {
            yield return TokenListNarrowing.Name;
        }
        if ((query.CreatedFrom is not null || query.CreatedTo is not null) && query.Sort != TokenSort.CreatedAt)
        {
            yield return TokenListNarrowing.Created;
        }
        if ((query.ExpiresBefore is not null || query.State == TokenState.Expired) && query.Sort != TokenSort.ExpiresAt)
        {
            yield return TokenListNarrowing.Expires;
        }
    }

    /// <summary>
    /// Counts the account's tokens that <paramref name="narrowing"/>'s filter alone selects, through that filter's index,
    /// stopping at <paramref name="bound"/> (so at most that many index entries are read).
    /// </summary>
    public static (string Sql, DynamicParameters Parameters) Matches(SqlDatabase database, string accountId, TokenQuery query,
        TokenListNarrowing narrowing, int bound)
    {
        var parameters = new DynamicParameters();
        parameters.Add("accountId", accountId);
        parameters.Add("bound", bound);
        var conditions = new List<string>();
        var hint = narrowing == TokenListNarrowing.CancelledOfWorkload ? database.IndexHint(CancelledOfWorkloadIndex) : "";
        if (narrowing == TokenListNarrowing.Name)
        {
            var folded = query.NameContains!.ToLowerInvariant();
            if (!IsPrefix(folded))
            {
                // Counted as the dialect finds the substring, row by row, so the count stops at its bound whatever the number
                // of matches (through the token table, SQLite read every match of the trigram index first: 0.9 s for "user"
                // at a million tokens).
                return ($"SELECT COUNT(*) FROM ({database.NameContainsRows(folded, parameters)} LIMIT @bound) AS m", parameters);
            }
            conditions.Add(NameIndexCondition(database, folded, parameters));
        }
        if (narrowing is TokenListNarrowing.Created or TokenListNarrowing.Expires or TokenListNarrowing.CancelledOfWorkload && OfOneWorkload(query))
        {
            // A workload's range is counted through that workload's index of the instant: a workload's day is a few hundred
            // tokens, not the account's 33,000, and is then sorted, where walking the workload's sort order read every token
            // of the workload for its creation instant (12-20 ms at a million tokens). The store weighs an expiry range so
            // counted against a smaller bound (SqlTokenStore.ChooseNarrowingAsync). A workload's cancelled tokens are counted
            // through their partial index (told to SQLite: its planner may take a workload index, whose status follows the sort).
            if (query.UnassignedOnly)
            {
                conditions.Add("t.workload_id IS NULL");
            }
            else
            {
                conditions.Add("t.workload_id = @workload");
                parameters.Add("workload", OneWorkload(query));
            }
            if (StatusOf(query) == TokenStatus.Cancelled)
            {
                conditions.Add("t.status = 'cancelled'");
            }
        }
        if (narrowing == TokenListNarrowing.Created && query.CreatedFrom is { } from)
        {
            conditions.Add("t.created_at >= @createdFrom");
            parameters.Add("createdFrom", Ms.Of(from));
        }
        if (narrowing == TokenListNarrowing.Created && query.CreatedTo is { } to)
        {
            conditions.Add("t.created_at < @createdTo");
            parameters.Add("createdTo", Ms.Of(to));
        }
        if (narrowing == TokenListNarrowing.Expires && query.ExpiresBefore is { } before)
        {
            conditions.Add("t.expires_at < @expiresBefore");
            parameters.Add("expiresBefore", Ms.Of(before));
        }
        if (narrowing == TokenListNarrowing.Expires && query.State == TokenState.Expired)
        {
            conditions.Add("t.expires_at <= @now");
            parameters.Add("now", Ms.Of(query.Now));
        }
        return ($"SELECT COUNT(*) FROM (SELECT 1 FROM query_tokens t{hint} WHERE t.account_id = @accountId AND {string.Join(" AND ", conditions)} LIMIT @bound) AS m",
            parameters);
    }

    /// <summary>
    /// True when the filters contradict each other (status=active&amp;state=cancelled, a workload's unassigned tokens, …):
    /// the page is empty without asking the database, whose planner may answer such a query with a scan it never runs.
    /// </summary>
    public static bool NeverMatches(TokenQuery query) =>
        (query.Status is { } status && query.State is { } state && (status == TokenStatus.Cancelled) != (state == TokenState.Cancelled))
        || (query.State == TokenState.Unassigned && query.WorkloadId is not null && !query.UnassignedOnly)
        || (query.State == TokenState.Usable && query.UnassignedOnly);

    /// <summary>The status every token of the page has, when its filters fix one (<c>status</c>, or a state: cancelled, or active for the others).</summary>
    internal static TokenStatus? StatusOf(TokenQuery query) =>
        query.Status ?? query.State switch
        {
            null => null,
            TokenState.Cancelled => TokenStatus.Cancelled,
            _ => TokenStatus.Active,
        };

    /// <summary>The one workload the page is of (<c>workloadId</c>, or a key bound to one workload), if any.</summary>
    internal static string? OneWorkload(TokenQuery query) => query.WorkloadId ?? (query.WorkloadIn is [var only] ? only : null);

    /// <summary>True for a page of one workload or of the unassigned tokens: the workload indexes hold it apart from the account's.</summary>
    internal static bool OfOneWorkload(TokenQuery query) => query.UnassignedOnly || OneWorkload(query) is not null;

    /// <summary>True for a name search that is a prefix match (fewer than <see cref="SubstringMinimum"/> characters).</summary>
    public static bool IsPrefix(string nameContains) => CountCharacters(nameContains) < SubstringMinimum;

    /// <summary>
    /// Counts the list's matches, stopping at <paramref name="limit"/> (ADR 0021). Unlike a page, a count has no order to
    /// walk and reads every match up to the limit, so a filter with an index of its own always finds the rows (the name,
    /// then an expiry bound or <c>state=expired</c>, then a creation range); the other range filters are only tested (on
    /// SQLite written <c>+column</c>, as for a page). Without such a filter the account's, a workload's or the cancelled
    /// tokens' index is read until the limit. Without <paramref name="nameNarrows"/> the name is only tested (a substring
    /// most names have, on PostgreSQL).
    /// </summary>
    public static (string Sql, DynamicParameters Parameters) Count(SqlDatabase database, string accountId, TokenQuery query, long limit,
        bool nameNarrows = true)
    {
        var narrowing = !string.IsNullOrEmpty(query.NameContains) && nameNarrows ? TokenListNarrowing.Name
            : query.ExpiresBefore is not null || query.State == TokenState.Expired ? TokenListNarrowing.Expires
            : query.CreatedFrom is not null || query.CreatedTo is not null ? TokenListNarrowing.Created
            : TokenListNarrowing.None;
        // The order does not matter to a count: Name makes neither instant a plain (seekable) term unless it narrows.
        var (sql, parameters) = Filtered(database, accountId, query with { Sort = TokenSort.Name }, narrowing, "1");
        parameters.Add("countLimit", limit);
        return ($"SELECT COUNT(*) FROM ({sql} LIMIT @countLimit) AS m", parameters);
    }

    /// <summary>
    /// The page's SELECT up to its open WHERE, every filter in it. <paramref name="indexHint"/> names the index SQLite must
    /// read (<see cref="SqlDatabase.IndexHint"/>; a day of <see cref="TokenListDays"/>). Without <paramref name="testsStatus"/>
    /// the caller tests the status itself (a day tests its index's key, <see cref="TokenListDays.Status"/> or
    /// <see cref="TokenListDays.ExpiryStatus"/>).
    /// </summary>
    internal static (StringBuilder Sql, DynamicParameters Parameters) Filtered(SqlDatabase database, string accountId, TokenQuery query,
        TokenListNarrowing narrowing, string select = Columns, string? indexHint = null, bool testsStatus = true)
    {
        var plans = database.PlansListFilters;
        // The expiry and creation columns as a seekable index term, or (SQLite, another filter narrowing) as a value only:
        // the sort's own column too once another filter narrows, or the planner may walk the sort's index through its
        // range (a name prefix that matched nothing took 15–49 ms so, against well under one through the name index).
        var walksSort = narrowing == TokenListNarrowing.None;
        var expires = plans || narrowing == TokenListNarrowing.Expires || (walksSort && query.Sort == TokenSort.ExpiresAt) ? "t.expires_at" : "+t.expires_at";
        var created = plans || narrowing == TokenListNarrowing.Created || (walksSort && query.Sort == TokenSort.CreatedAt) ? "t.created_at" : "+t.created_at";
        var name = plans || narrowing == TokenListNarrowing.Name || (walksSort && query.Sort == TokenSort.Name) ? "t.name_folded" : "+t.name_folded";
        var sql = new StringBuilder($"SELECT {select} FROM query_tokens t{(indexHint is null ? "" : database.IndexHint(indexHint))} WHERE t.account_id = @accountId");
        var parameters = new DynamicParameters();
        parameters.Add("accountId", accountId);
        // The unassigned tokens, asked for by workloadId=none or state=unassigned (or both), written once: PostgreSQL weighs a
        // repeated condition twice, and after one ANALYZE in three took the unassigned tokens of a name search for 2,009
        // where 45,000 are, and read them all through a workload index beside the trigrams (21-25 ms at a million tokens,
        // against 1-2 ms for the trigram index alone). A workload's unassigned tokens never get here (NeverMatches).
        if (query.UnassignedOnly || query.State == TokenState.Unassigned)
        {
            sql.Append(" AND t.workload_id IS NULL");
        }
        else if (query.WorkloadId is not null)
        {
            sql.Append(" AND t.workload_id = @workloadId");
            parameters.Add("workloadId", query.WorkloadId);
        }
        if (query.WorkloadIn is [var only])
        {
            // A key bound to one workload (the usual case) sees what workloadId=… would: an equality seeks that workload's
            // entries of the workload indexes, in the sort's order. PostgreSQL does neither with = ANY(array), and walked
            // the whole account's sort index for a workload without a match (260–340 ms at a million tokens).
            sql.Append(" AND t.workload_id = @workloadIn");
            parameters.Add("workloadIn", only);
        }
        else if (query.WorkloadIn is { } workloadIn)
        {
            // A workload-bound key's view: only its workloads' tokens (never the unassigned ones).
            sql.Append($" AND t.workload_id {database.EqualsAny("workloadIn")}");
            parameters.Add("workloadIn", workloadIn.ToArray());
        }
        // The status that `status` or the state fixes, written once (contradicting filters never get here: NeverMatches).
        if (testsStatus && StatusOf(query) is { } fixedStatus)
        {
            sql.Append($" AND t.status = '{TokenNames.Of(fixedStatus)}'");
        }
        if (query.State is { } state)
        {
            parameters.Add("now", Ms.Of(query.Now));
            sql.Append(state switch
            {
                TokenState.Cancelled => "",
                TokenState.Expired => $" AND {expires} <= @now",
                TokenState.Unassigned => $" AND {expires} > @now",
                _ => $" AND {expires} > @now AND t.workload_id IS NOT NULL",
            });
        }
        if (!string.IsNullOrEmpty(query.NameContains))
        {
            var folded = query.NameContains.ToLowerInvariant();
            var prefix = IsPrefix(folded);
            if (prefix && PrefixEnd(folded) is not null)
            {
                // A prefix with an end is exactly the names from it up to its end: two comparisons of the name on each entry
                // walked, where a LIKE matched a pattern (a fifth of the walk of a day's names on SQLite), and a range an
                // index of names can seek.
                sql.Append(" AND ").Append(NameIndexCondition(database, folded, parameters, name));
            }
            else
            {
                // The LIKE decides (the index conditions only narrow), so the meaning is the same whatever index answers.
                sql.Append(" AND t.name_folded LIKE @nameLike ESCAPE '\\'");
                parameters.Add("nameLike", prefix ? EscapeLike(folded) + "%" : ContainsPattern(folded));
                if (narrowing == TokenListNarrowing.Name)
                {
                    sql.Append(" AND ").Append(NameIndexCondition(database, folded, parameters));
                }
            }
        }
        if (query.CreatedFrom is { } from)
        {
            sql.Append($" AND {created} >= @createdFrom");
            parameters.Add("createdFrom", Ms.Of(from));
        }
        if (query.CreatedTo is { } to)
        {
            sql.Append($" AND {created} < @createdTo");
            parameters.Add("createdTo", Ms.Of(to));
        }
        if (query.ExpiresBefore is { } before)
        {
            sql.Append($" AND {expires} < @expiresBefore");
            parameters.Add("expiresBefore", Ms.Of(before));
        }
        return (sql, parameters);
    }

    /// <summary>
    /// The condition that finds matching names through an index: a range of the name index for a prefix (of
    /// <paramref name="column"/>, the name as a seekable term or, on SQLite where another filter narrows, as a value only),
    /// the trigram index otherwise.
    /// </summary>
    private static string NameIndexCondition(SqlDatabase database, string folded, DynamicParameters parameters, string column = "t.name_folded")
    {
        if (IsPrefix(folded))
        {
            parameters.Add("namePrefix", folded);
            if (PrefixEnd(folded) is not { } end)
            {
                return $"{column} >= @namePrefix";
            }
            parameters.Add("namePrefixEnd", end);
            return $"{column} >= @namePrefix AND {column} < @namePrefixEnd";
        }
        return database.NameContainsCondition(folded, parameters);
    }

    /// <summary>The last-use sort key of a token never used (<see cref="SqlDatabase.LastUsedKey"/>): below every use.</summary>
    internal const long NeverUsed = -1;

    /// <summary>The least key of a sort that has one: the last-use key of a token never used (<see cref="Keyset.Page"/>).</summary>
    internal static long? LeastKey(TokenSort sort) => sort == TokenSort.LastUsedAt ? NeverUsed : null;

    internal static (string Key, bool Descending) SortKey(SqlDatabase database, TokenSort sort) => sort switch
    {
        TokenSort.ExpiresAt => ("t.expires_at", false),
        TokenSort.Name => ("t.name_folded", false),
        TokenSort.LastUsedAt => (database.LastUsedKey, true),
        _ => ("t.created_at", true),
    };

    /// <summary>
    /// The least string above every string that starts with <paramref name="prefix"/>, in code point order (SQLite's
    /// BINARY and PostgreSQL's "C" collation): the last character plus one. Null where that is not a plain
    /// character; the lower bound and the LIKE then do the work.
    /// </summary>
    private static string? PrefixEnd(string prefix)
    {
        var last = prefix[^1];
        return char.IsSurrogate(last) || last is '\uD7FF' or '\uFFFF' ? null : string.Concat(prefix.AsSpan(0, prefix.Length - 1), [(char)(last + 1)]);
    }

    private static int CountCharacters(string value)
    {
        var count = 0;
        foreach (var _ in value.EnumerateRunes())
        {
            count++;
        }
        return count;
    }

    /// <summary>The LIKE pattern of the names containing <paramref name="folded"/>, its wildcards escaped (<c>ESCAPE '\'</c>).</summary>
    internal static string ContainsPattern(string folded) => "%" + EscapeLike(folded) + "%";

    private static string EscapeLike(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}
