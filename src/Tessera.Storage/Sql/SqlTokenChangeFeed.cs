using Dapper;
using Tessera.Core.Secrets;
using Tessera.Core.Storage;

namespace Tessera.Storage.Sql;

/// <summary>
/// The token_changes table (filled by triggers, see migration 0002) on any <see cref="SqlDatabase"/>, and the
/// prune watermark in token_feed_state (kept by a trigger on every DELETE, see migration 0004).
/// </summary>
public sealed class SqlTokenChangeFeed(SqlDatabase database) : ITokenChangeFeed
{
    public async Task<long> LatestPositionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT MAX(position) FROM token_changes", cancellationToken: cancellationToken)) ?? 0;
    }

    public async Task<IReadOnlyList<TokenChange>> ReadAfterAsync(long position, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long Position, byte[] TokenHash, string? AccountId)>(new CommandDefinition(
            "SELECT position, token_hash, account_id FROM token_changes WHERE position > @position ORDER BY position LIMIT @limit",
            new { position, limit }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new TokenChange(r.Position, SecretHash.FromBytes(r.TokenHash), r.AccountId))];
    }

    public async Task<IReadOnlyList<TokenChange>> ReadAtAsync(IReadOnlyCollection<long> positions, CancellationToken cancellationToken)
    {
        if (positions.Count == 0)
        {
            return [];
        }
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long Position, byte[] TokenHash, string? AccountId)>(new CommandDefinition(
            $"SELECT position, token_hash, account_id FROM token_changes WHERE position {database.EqualsAny("positions")} ORDER BY position",
            new { positions = positions.ToArray() }, cancellationToken: cancellationToken));
        return [.. rows.Select(r => new TokenChange(r.Position, SecretHash.FromBytes(r.TokenHash), r.AccountId))];
    }

    public async Task<long> PrunedThroughAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT pruned_through FROM token_feed_state WHERE id = 1", cancellationToken: cancellationToken)) ?? 0;
    }

    public async Task<int> PruneAsync(TimeSpan retention, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            $"DELETE FROM token_changes WHERE changed_at < {database.NowMs} - @retentionMs",
            new { retentionMs = (long)retention.TotalMilliseconds }, cancellationToken: cancellationToken));
    }
}
