using System.Runtime.CompilerServices;
using Dapper;
using Tessera.Core.Gateway;
using Tessera.Core.Secrets;
using Tessera.Core.Tokens;

namespace Tessera.Storage.Sql;

/// <summary>
/// The gateway feed's reads over query_tokens and token_changes (migration 0010 gives each change row its account,
/// token id and previous workload). Positions become visible in order on both databases (ADR 0016), so the highest
/// visible position is a safe place to continue from.
/// </summary>
public sealed class SqlGatewayFeed(SqlDatabase database) : IGatewayFeedStore
{
    private const string TokenColumns = "t.token_hash AS Hash, t.id AS TokenId, t.workload_id AS WorkloadId, t.expires_at AS ExpiresAt, t.status AS Status";

    public async Task<FeedPosition> PositionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // One statement, one view of the database: the watermark and the newest row agree.
        var (latest, pruned) = await connection.QuerySingleAsync<(long? Latest, long? Pruned)>(new CommandDefinition(
            "SELECT (SELECT MAX(position) FROM token_changes), (SELECT pruned_through FROM token_feed_state WHERE id = 1)",
            cancellationToken: cancellationToken));
        var prunedThrough = pruned ?? 0;
        // With every row pruned, the feed is where the prune left it.
        return new FeedPosition(Math.Max(latest ?? 0, prunedThrough), prunedThrough);
    }

    public async IAsyncEnumerable<GatewayToken> SnapshotAsync(string accountId, IReadOnlyList<string>? workloadIds,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var only = workloadIds is null ? "" : $" AND t.workload_id {database.EqualsAny("workloadIds")}";
        // Unbuffered: one statement (one consistent read) whose rows go out as they come, whatever the account's size.
        var rows = connection.QueryUnbufferedAsync<TokenRow>(
            $"SELECT {TokenColumns} FROM query_tokens t WHERE t.account_id = @accountId{only}",
            new { accountId, workloadIds = workloadIds?.ToArray() });
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            yield return row.ToGatewayToken();
        }
    }

    public async Task<IReadOnlyList<GatewayChange>> ChangesAsync(string accountId, long after, long through, int limit,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<ChangeRow>(new CommandDefinition(
            $"""
            SELECT c.position AS Position, c.token_id AS ChangedTokenId, c.workload_id AS PreviousWorkloadId, {TokenColumns}
            FROM token_changes c LEFT JOIN query_tokens t ON t.id = c.token_id AND t.account_id = c.account_id
            WHERE c.account_id = @accountId AND c.position > @after AND c.position <= @through
            ORDER BY c.position LIMIT @limit
            """,
            new { accountId, after, through, limit }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new GatewayChange(r.Position, r.ChangedTokenId, r.PreviousWorkloadId, r.TokenId is null ? null : r.ToGatewayToken()))];
    }

    public async Task<IReadOnlyList<string>> ExistingAsync(string accountId, IReadOnlyList<string>? workloadIds, IReadOnlyList<string> tokenIds,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var only = workloadIds is null ? "" : $" AND workload_id {database.EqualsAny("workloadIds")}";
        return [.. await connection.QueryAsync<string>(new CommandDefinition(
            $"SELECT id FROM query_tokens WHERE account_id = @accountId AND id {database.EqualsAny("tokenIds")}{only}",
            new { accountId, tokenIds = tokenIds.ToArray(), workloadIds = workloadIds?.ToArray() }, cancellationToken: cancellationToken))];
    }

    private class TokenRow
    {
        public byte[]? Hash { get; set; }
        public string? TokenId { get; set; }
        public string? WorkloadId { get; set; }
        public long ExpiresAt { get; set; }
        public string Status { get; set; } = "";

        public GatewayToken ToGatewayToken() => new(SecretHash.FromBytes(Hash!), TokenId!, WorkloadId, Ms.At(ExpiresAt),
            Status == "cancelled" ? TokenStatus.Cancelled : TokenStatus.Active);
    }

    private sealed class ChangeRow : TokenRow
    {
        public long Position { get; set; }
        public string ChangedTokenId { get; set; } = "";
        public string? PreviousWorkloadId { get; set; }
    }
}
