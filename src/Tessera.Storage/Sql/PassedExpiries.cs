using Dapper;

namespace Tessera.Storage.Sql;

/// <summary>
/// Marks the active tokens whose expiry has passed, for the day indexes (ADR 0012, "The passed expiries"; migration 0017):
/// <c>passed_expiry</c> takes the token's expiry, and the indexes hold the token as <c>expired</c> while its expiry is still
/// that one. A usable or unassigned page read by days then seeks each day's live tokens instead of passing over the ones
/// that expired, on the index. A mark is only a hint to the lists: every page still tests the expiry on the entry, so a
/// token not marked yet lists as before. A renewal moves the expiry and so undoes the mark without writing it.
/// </summary>
public sealed class PassedExpiries(SqlDatabase database)
{
    /// <summary>How long after an expiry it is marked: servers sharing a database may disagree by less than that on the time.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMinutes(1);

    /// <summary>How far back a pass with nothing marked before it looks: every day a usable page reads (from today's).</summary>
    public static readonly TimeSpan FirstLookback = TimeSpan.FromDays(2);

    /// <summary>The most tokens one write marks: a bulk import's pile is marked in writes of this size, others' between them.</summary>
    public const int Batch = 2_000;

    /// <summary>
    /// One pass at <paramref name="now"/>: marks the expiries after <paramref name="after"/> (the end of the last pass; null:
    /// <see cref="FirstLookback"/> back) up to <see cref="Settle"/> before <paramref name="now"/>, in batches of
    /// <see cref="Batch"/>; returns how many it marked and the end of its window, the next pass's start.
    /// </summary>
    public async Task<(int Marked, DateTimeOffset Until)> MarkPassedAsync(DateTimeOffset now, DateTimeOffset? after, CancellationToken cancellationToken)
    {
        var until = now - Settle;
        return (await MarkAllAsync(after ?? until - FirstLookback, until, Batch, cancellationToken), until);
    }

    /// <summary>
    /// Marks every active token whose expiry is in (<paramref name="from"/>, <paramref name="until"/>] and not marked yet,
    /// in writes of at most <paramref name="batch"/> (other writes run between them); returns how many it marked.
    /// </summary>
    public async Task<int> MarkAllAsync(DateTimeOffset from, DateTimeOffset until, int batch, CancellationToken cancellationToken)
    {
        var total = 0;
        while (from < until)
        {
            var (marked, latest) = await MarkAsync(from, until, batch, cancellationToken);
            total += marked;
            if (marked < batch)
            {
                break;
            }
            // The next batch from the latest expiry marked: its instant may hold more, not marked yet.
            from = latest!.Value.AddMilliseconds(-1);
        }
        return total;
    }

    /// <summary>
    /// Marks at most <paramref name="limit"/> active tokens whose expiry is in (<paramref name="from"/>,
    /// <paramref name="until"/>] and not marked yet, earliest expiry first; returns how many it marked and the latest expiry
    /// among them (a next batch starts a millisecond before it: the tokens of that instant not marked yet are still to do).
    /// The token feed, the version and the last change are untouched: nothing a reader of the token sees changes. Safe on
    /// several servers at once (a token marked by one is not chosen by the other), and against a renewal at the same
    /// moment: the UPDATE tests the expiry again on the row it writes, so PostgreSQL's recheck of a row changed meanwhile
    /// skips it.
    /// </summary>
    public Task<(int Marked, DateTimeOffset? Latest)> MarkAsync(DateTimeOffset from, DateTimeOffset until, int limit, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction, ct) =>
        {
            var marked = (await connection.QueryAsync<long>(new CommandDefinition(
                """
                UPDATE query_tokens SET passed_expiry = expires_at
                WHERE id IN (SELECT t.id FROM query_tokens t
                             WHERE t.expires_at > @from AND t.expires_at <= @until AND t.status = 'active'
                                 AND (t.passed_expiry IS NULL OR t.passed_expiry <> t.expires_at)
                             ORDER BY t.expires_at LIMIT @limit)
                    AND expires_at > @from AND expires_at <= @until AND status = 'active'
                RETURNING expires_at
                """,
                new { from = Ms.Of(from), until = Ms.Of(until), limit }, transaction, cancellationToken: ct))).AsList();
            return WriteOutcome.Commit((marked.Count, marked.Count == 0 ? (DateTimeOffset?)null : Ms.At(marked.Max())));
        }, cancellationToken);
}
