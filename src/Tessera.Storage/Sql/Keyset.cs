using System.Data.Common;
using System.Text;
using Dapper;
using Tessera.Core.Storage;

namespace Tessera.Storage.Sql;

/// <summary>
/// Keyset paging, written once for every list (tokens, workloads, webhook endpoints and deliveries, the audit trail): the
/// position after the previous page is a row value of the sort key and the id (an index seeks to it; an OR of two
/// comparisons made SQLite walk every earlier row), the order is the key then the id in the same direction (so equal
/// keys never repeat or skip), and one row more than the page is read to learn whether more follow.
/// </summary>
internal static class Keyset
{
    /// <summary>
    /// Appends to <paramref name="sql"/> (whose WHERE is open) the condition after (<paramref name="afterKey"/>,
    /// <paramref name="afterId"/>) when there is a position, then the ORDER BY and LIMIT of one page of
    /// <paramref name="limit"/>, adding their parameters. A list ordered by id alone has no <paramref name="key"/>.
    /// <paramref name="constant"/>, a column every row of the page has the same value in (one the WHERE tests with IS NULL),
    /// leads the ORDER BY without changing it, so PostgreSQL sees that an index led by it is in the page's order (for a
    /// column tested with <c>=</c> it sees that by itself). <paramref name="least"/> is the least value the key can take,
    /// if it has one (a never-used token's last-use key): in a descending order, a position on it is written
    /// <c>(key, id) &lt;= (@afterKey, @afterId) AND id &lt;&gt; @afterId</c>, the same rows and the same seek. PostgreSQL
    /// estimates a row comparison by its first column alone, and <c>key &lt; least</c> as no rows: it then took any index
    /// that held the key, the account's last-use index for a page of six expiry days, filtering 84,000 rows a day (400 ms
    /// at 100 accounts), and for the unassigned tokens' walk 99,000 rows (67 ms). <c>key &lt;= least</c> it estimates as
    /// the never-used tokens. The key's equality (<c>key = @afterKey AND id &lt; @afterId</c>) was estimated well too, but
    /// left the order to the id alone, and PostgreSQL then walked the primary key (every account's tokens).
    /// </summary>
    public static void Page(StringBuilder sql, DynamicParameters parameters, string? key, string id, bool descending, object? afterKey,
        string? afterId, int limit, string? constant = null, long? least = null)
    {
        var direction = descending ? "DESC" : "ASC";
        if (afterId is not null)
        {
            var comparison = descending ? "<" : ">";
            sql.Append(key is null ? $" AND {id} {comparison} @afterId"
                : descending && least is not null && afterKey is long at && at == least ? $" AND ({key}, {id}) <= (@afterKey, @afterId) AND {id} <> @afterId"
                : $" AND ({key}, {id}) {comparison} (@afterKey, @afterId)");
            if (key is not null)
            {
                parameters.Add("afterKey", afterKey);
            }
            parameters.Add("afterId", afterId);
        }
        sql.Append(" ORDER BY ").Append(constant is null ? "" : $"{constant} {direction}, ")
            .Append(key is null ? $"{id} {direction}" : $"{key} {direction}, {id} {direction}").Append(" LIMIT @take");
        parameters.Add("take", limit + 1);
    }

    /// <summary>Reads a page's rows (<see cref="Page"/>'s SQL, one row more than <paramref name="limit"/>) and answers the page.</summary>
    public static async Task<Page<T>> ReadAsync<TRow, T>(DbConnection connection, string sql, DynamicParameters parameters, int limit,
        Func<TRow, T> map, CancellationToken cancellationToken)
    {
        var rows = (await connection.QueryAsync<TRow>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken))).AsList();
        return new Page<T>([.. rows.Take(limit).Select(map)], rows.Count > limit);
    }
}
