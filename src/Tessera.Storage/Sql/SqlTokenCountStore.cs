using Dapper;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;

namespace Tessera.Storage.Sql;

/// <summary>
/// Tokens by state in one pass over the account's rows (its account index), with the state rules of
/// <see cref="TokenListSql"/>: cancelled, then expired, then unassigned, else usable.
/// </summary>
public sealed class SqlTokenCountStore(SqlDatabase database) : ITokenCountStore
{
    public async Task<TokenCounts> CountAsync(string accountId, IReadOnlyList<string>? workloadIn, DateTimeOffset now, DateTimeOffset expiringBefore,
        CancellationToken cancellationToken)
    {
        var only = workloadIn is null ? "" : $" AND workload_id {database.EqualsAny("workloadIn")}";
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<(long? Usable, long? Unassigned, long? Expired, long? Cancelled, long? Soon)>(new CommandDefinition(
            $"""
            SELECT
                CAST(SUM(CASE WHEN status = 'active' AND expires_at > @now AND workload_id IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN status = 'active' AND expires_at > @now AND workload_id IS NULL THEN 1 ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN status = 'active' AND expires_at <= @now THEN 1 ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END) AS BIGINT),
                CAST(SUM(CASE WHEN status = 'active' AND expires_at > @now AND expires_at <= @soon AND workload_id IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT)
            FROM query_tokens WHERE account_id = @accountId{only}
            """,
            new { accountId, now = Ms.Of(now), soon = Ms.Of(expiringBefore), workloadIn = workloadIn?.ToArray() },
            cancellationToken: cancellationToken));
        return new TokenCounts(row.Usable ?? 0, row.Unassigned ?? 0, row.Expired ?? 0, row.Cancelled ?? 0, row.Soon ?? 0);
    }

    public async Task<long> CountMatchesAsync(string accountId, TokenQuery query, long limit, CancellationToken cancellationToken)
    {
        if (TokenListSql.NeverMatches(query))
        {
            return 0;
        }
        await using var connection = await database.OpenAsync(cancellationToken);
        // A substring most names have is found by walking the account's rows, not through its trigrams (a bitmap of all
        // of them before the first row: SqlDatabase.MayHaveFewerNamesContainingAsync).
        var nameNarrows = query.NameContains is not { Length: > 0 } name || TokenListSql.IsPrefix(name)
            || await database.MayHaveFewerNamesContainingAsync(connection, accountId, name.ToLowerInvariant(), limit, cancellationToken);
        var (sql, parameters) = TokenListSql.Count(database, accountId, query, limit, nameNarrows);
        return await database.InterruptibleAsync(connection,
            () => connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)), cancellationToken);
    }
}
