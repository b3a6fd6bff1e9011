using Dapper;
using Tessera.Core.Storage;
using Tessera.Core.Usage;

namespace Tessera.Storage.Sql;

/// <summary>
/// The hourly usage buckets on any <see cref="SqlDatabase"/>. Written by <see cref="SqlTokenStore.RecordUsageAsync"/>
/// only; read here by summing hours into the asked width (a UTC day is a whole number of hours since the epoch).
/// </summary>
public sealed class SqlUsageStore(SqlDatabase database) : IUsageStore
{
    public async Task<IReadOnlyList<UsageBucket>> ReadAsync(string accountId, UsageQuery query, CancellationToken cancellationToken)
    {
        // The width is a constant of the statement (not a parameter): PostgreSQL matches the GROUP BY expression to the
        // selected one only when they are the same text.
        var bucket = $"(hour_start - hour_start % {query.BucketMs})";
        var filter = query switch
        {
            { TokenId: not null } => " AND token_id = @TokenId",
            { WorkloadId: not null } => " AND workload_id = @WorkloadId",
            { WorkloadIn: not null } => $" AND workload_id {database.EqualsAny("WorkloadIn")}",
            _ => "",
        };
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long Start, long Uses)>(new CommandDefinition(
            $"""
            SELECT {bucket} AS start, CAST(SUM(uses) AS BIGINT) AS uses FROM usage_hours
            WHERE account_id = @accountId{filter} AND hour_start >= @from AND hour_start < @to
            GROUP BY {bucket} ORDER BY {bucket}
            """,
            new { accountId, query.TokenId, query.WorkloadId, WorkloadIn = query.WorkloadIn?.ToArray(), from = Ms.Of(query.From), to = Ms.Of(query.To) },
            cancellationToken: cancellationToken));
        return [.. rows.Select(r => new UsageBucket(Ms.At(r.Start), r.Uses))];
    }

    public async Task<IReadOnlyList<UsageLeader>> LeadersAsync(string accountId, bool byWorkload, DateTimeOffset from, int limit,
        IReadOnlyList<string>? workloadIn, CancellationToken cancellationToken)
    {
        var only = workloadIn is null ? "" : $" AND u.workload_id {database.EqualsAny("workloadIn")}";
        // Joined to what exists now: a deleted token or workload is not among the busiest to click through to.
        var (key, join) = byWorkload
            ? ("u.workload_id", "JOIN workloads o ON o.account_id = u.account_id AND o.id = u.workload_id")
            : ("u.token_id", "JOIN query_tokens o ON o.id = u.token_id");
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Id, string Name, long Uses)>(new CommandDefinition(
            $"""
            SELECT {key} AS id, o.name AS name, CAST(SUM(u.uses) AS BIGINT) AS uses FROM usage_hours u {join}
            WHERE u.account_id = @accountId AND u.hour_start >= @from{only}
            GROUP BY {key}, o.name ORDER BY SUM(u.uses) DESC, {key} LIMIT @limit
            """,
            new { accountId, from = Ms.Of(from) - Ms.Of(from) % UsageQuery.HourMs, limit, workloadIn = workloadIn?.ToArray() },
            cancellationToken: cancellationToken));
        return [.. rows.Select(r => new UsageLeader(r.Id, r.Name, r.Uses))];
    }

    public async Task<int> PruneAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // A bounded batch, oldest hours first, so one prune never holds the write lock for long. The hour must have
        // ended before the cutoff: a bucket is pruned only when all of its uses are older than the retention.
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM usage_hours WHERE (account_id, token_id, hour_start, workload_id) IN (
                SELECT account_id, token_id, hour_start, workload_id FROM usage_hours WHERE hour_start <= @lastHour
                ORDER BY hour_start LIMIT @limit)
            """,
            new { lastHour = Ms.Of(before) - UsageQuery.HourMs, limit }, cancellationToken: cancellationToken));
    }
}
