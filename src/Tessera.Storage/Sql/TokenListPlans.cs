using System.Data.Common;
using System.Text.RegularExpressions;
using Dapper;
using Tessera.Core.Storage;

namespace Tessera.Storage.Sql;

/// <summary>
/// The database's own plan for a token list page (SQLite's EXPLAIN QUERY PLAN, PostgreSQL's EXPLAIN), for the plan
/// tests and bench/lists.sh: which indexes answer it, and whether any step reads query_tokens without one.
/// </summary>
internal static partial class TokenListPlans
{
    /// <summary>The plan's lines for the page <see cref="SqlTokenStore"/> would run for <paramref name="query"/>.</summary>
    public static async Task<IReadOnlyList<string>> ExplainAsync(SqlDatabase database, DbConnection connection, string accountId, TokenQuery query,
        TokenListNarrowing narrowing, CancellationToken cancellationToken)
    {
        var (sql, parameters) = TokenListSql.Page(database, accountId, query, narrowing);
        return await ExplainAsync(database, connection, sql, parameters, cancellationToken);
    }

    /// <summary>The plan's lines for any SELECT of the stores (the audit trail's pages too).</summary>
    public static async Task<IReadOnlyList<string>> ExplainAsync(SqlDatabase database, DbConnection connection, string sql, DynamicParameters parameters,
        CancellationToken cancellationToken)
    {
        if (database.Provider == "postgres")
        {
            return [.. await connection.QueryAsync<string>(new CommandDefinition("EXPLAIN " + sql, parameters, cancellationToken: cancellationToken))];
        }
        var rows = await connection.QueryAsync<(long Id, long Parent, long NotUsed, string Detail)>(
            new CommandDefinition("EXPLAIN QUERY PLAN " + sql, parameters, cancellationToken: cancellationToken));
        return [.. rows.Select(r => r.Detail)];
    }

    /// <summary>The indexes the plan names, in order, each once.</summary>
    public static IReadOnlyList<string> Indexes(IEnumerable<string> plan) =>
        [.. plan.SelectMany(line => IndexName().Matches(line).Select(m => m.Groups["name"].Value)).Distinct(StringComparer.Ordinal)];

    /// <summary>
    /// The plan's steps that read query_tokens (or the name map) from end to end: SQLite's <c>SCAN t</c>, with or without
    /// an index (a walk of every account's entries, where <c>SEARCH</c> seeks to one account's), and PostgreSQL's
    /// <c>Seq Scan</c>.
    /// </summary>
    public static IReadOnlyList<string> FullScans(IEnumerable<string> plan) =>
        [.. plan.Where(line => FullScan().IsMatch(line))];

    /// <summary>
    /// True when the plan sorts rows and no narrowing filter's index feeds the sort (SQLite's temporary B-tree,
    /// PostgreSQL's Sort node): the page then costs as many rows as the account has, as a scan would. Sorting what a
    /// narrowing filter found is bounded by the store's count (<see cref="SqlTokenStore.NarrowingBound"/>; a workload's
    /// cancelled tokens too), and merging the days of <see cref="TokenListDays"/> by a page per day.
    /// </summary>
    public static bool SortsTheAccount(IReadOnlyList<string> plan) =>
        Sorts(plan) && !plan.Any(line => Narrowed().IsMatch(line));

    /// <summary>True when the plan sorts rows (SQLite's temporary B-tree, PostgreSQL's Sort or Incremental Sort node).</summary>
    public static bool Sorts(IReadOnlyList<string> plan) => plan.Any(line => SortStep().IsMatch(line));

    [GeneratedRegex(@"USE TEMP B-TREE FOR (?:RIGHT PART OF )?ORDER BY|^\s*(?:->\s*)?(?:Incremental )?Sort\b")]
    private static partial Regex SortStep();

    [GeneratedRegex(@"query_token_trigrams|(?:SEARCH|Index Cond|Recheck Cond).*(?:name_folded ?[<>]|created_at ?[<>]|expires_at ?[<>]|name_folded ~~|tessera_name_trigrams)|SEARCH t USING (?:COVERING )?INDEX ix_query_tokens_(?:created_day_|expires_day_|workload_cancelled\b)")]
    private static partial Regex Narrowed();

    [GeneratedRegex(@"\b(?<name>(?:ix|ux)_[a-z0-9_]+|sqlite_autoindex_[a-z0-9_]+|[a-z_]+_pkey|query_token_trigrams)\b")]
    private static partial Regex IndexName();

    [GeneratedRegex(@"^\s*SCAN (?:t|n|query_tokens|query_token_names|audit_entries)\b|Seq Scan on (?:query_token|audit_entries)")]
    private static partial Regex FullScan();
}
