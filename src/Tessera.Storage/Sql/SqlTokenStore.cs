using System.Data.Common;
using System.Runtime.InteropServices;
using Dapper;
using Tessera.Core.Audit;
using Tessera.Core.Secrets;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Core.Usage;

namespace Tessera.Storage.Sql;

/// <summary>Query tokens on any <see cref="SqlDatabase"/>.</summary>
public sealed class SqlTokenStore(SqlDatabase database) : ITokenStore
{
    private const string Columns = TokenListSql.Columns;

    public async Task<QueryToken?> GetTokenAsync(string accountId, string tokenId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<TokenRow>(new CommandDefinition(
            $"SELECT {Columns} FROM query_tokens t WHERE t.id = @tokenId AND t.account_id = @accountId",
            new { tokenId, accountId }, cancellationToken: cancellationToken));
        return row?.ToDomain();
    }

    public async Task<TokenMatch?> FindTokenAsync(SecretHash hash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<TokenRow>(new CommandDefinition(
            $"SELECT {Columns}, w.name AS workload_name FROM query_tokens t LEFT JOIN workloads w ON w.id = t.workload_id WHERE t.token_hash = @hash",
            new { hash = hash.ToArray() }, cancellationToken: cancellationToken));
        return row is null ? null : new TokenMatch(row.ToDomain(), row.WorkloadName);
    }

    public async Task<IReadOnlyList<TokenMatch>> FindTokensAsync(IReadOnlyCollection<SecretHash> hashes, CancellationToken cancellationToken)
    {
        if (hashes.Count == 0)
        {
            return [];
        }
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<TokenRow>(new CommandDefinition(
            $"SELECT {Columns}, w.name AS workload_name FROM query_tokens t LEFT JOIN workloads w ON w.id = t.workload_id WHERE t.token_hash {database.EqualsAny("hashes")}",
            new { hashes = hashes.Select(h => h.ToArray()).ToArray() }, cancellationToken: cancellationToken));
        return [.. rows.Select(row => new TokenMatch(row.ToDomain(), row.WorkloadName))];
    }

    /// <summary>
    /// A filter that selects fewer rows than this finds them through its own index and sorts them; one that selects more
    /// is tested on the rows the sort order's index walks (one in this many of the account's rows or more passes, so a
    /// page is found within a bounded walk). Only where the planner cannot weigh this itself
    /// (<see cref="SqlDatabase.PlansListFilters"/> false); see ADR 0012 for the arithmetic.
    /// </summary>
    internal int NarrowingBound { get; init; } = 5_000;

    public async Task<Page<QueryToken>> ListTokensAsync(string accountId, TokenQuery query, CancellationToken cancellationToken)
    {
        if (TokenListSql.NeverMatches(query))
        {
            return new Page<QueryToken>([], false);
        }
        await using var connection = await database.OpenForListsAsync(cancellationToken);
        var read = await ChooseReadAsync(connection, accountId, query, cancellationToken);
        if (read is { Days: null, Narrowing: TokenListNarrowing.None } && !database.PlansListFilters
            && TokenListSql.Narrowings(query).Where(n => n is TokenListNarrowing.Created or TokenListNarrowing.Expires).ToList() is [_, ..] ranges)
        {
            return await WalkOrSortRangeAsync(connection, accountId, query, read, ranges, cancellationToken);
        }
        return await ReadAsync(connection, accountId, query, read, cancellationToken);
    }

    /// <summary>
    /// How the page is found: through a narrowing filter's index (one selects fewer than <see cref="NarrowingBound"/>
    /// rows), day by day over a range on another instant than the sort's (<see cref="TokenListDays"/>, at most
    /// <see cref="TokenListDays.MostDays"/> days hold it), or by walking the sort order.
    /// </summary>
    internal async Task<TokenListRead> ChooseReadAsync(DbConnection connection, string accountId, TokenQuery query, CancellationToken cancellationToken)
    {
        var range = TokenListDays.RangeOf(query);
        var narrowing = await ChooseNarrowingAsync(connection, accountId, query, range is not null, cancellationToken);
        if (narrowing != TokenListNarrowing.None || range is not { } ranged)
        {
            return new TokenListRead(narrowing, range);
        }
        // One workload's pages (or the unassigned tokens') walk that workload's own index in the sort's order: at most the
        // workload's tokens, where a day of the account's index holds every workload's. Its first page starts the walk
        // where the range's days bound the sort.
        if (!TokenListSql.OfOneWorkload(query))
        {
            return await ReadByDaysAsync(connection, accountId, ranged, cancellationToken) ?? new TokenListRead(narrowing, range);
        }
        return query.After is null && BoundsWalks && TokenListDays.BoundsSort(database, query)
            ? await BoundWalkAsync(connection, accountId, query, ranged, cancellationToken)
            : new TokenListRead(narrowing, range);
    }

    /// <summary>
    /// One workload's walk of its sort order, started where the range's days say the sort key of any token in the range can
    /// be (<see cref="TokenListDays.SortBound"/>). A range's tokens may come late in that order: an expiry bound's are the
    /// oldest, so a walk from the newest passed the rest first (the bench's unassigned tokens with an expiry bound sorted by
    /// creation: about 42,000 entries, 8-16 ms). Not where more than <see cref="TokenListDays.MostDays"/> days hold the
    /// range; no page at all where no token of the range can match. Only a first page: the next pages' cursors come from
    /// it, at or beyond the bound, and start the walk there already.
    /// </summary>
    private async Task<TokenListRead> BoundWalkAsync(DbConnection connection, string accountId, TokenQuery query, TokenListDays.Range range,
        CancellationToken cancellationToken)
    {
        var (sql, parameters) = TokenListDays.SortBound(database, accountId, query, range);
        var (days, bound) = TokenListDays.Furthest(database, query,
            await connection.QueryAsync<(long Day, string? Position)>(new CommandDefinition(database.PlannedOnce(sql), parameters, cancellationToken: cancellationToken)));
        if (days > TokenListDays.MostDays)
        {
            return new TokenListRead(TokenListNarrowing.None, range);
        }
        Interlocked.Increment(ref _boundWalks);
        return bound is null ? new TokenListRead(TokenListNarrowing.None, range, []) : new TokenListRead(TokenListNarrowing.None, range, SortBound: bound);
    }

    /// <summary>False to never bound a workload's walk by its range's days (for the tests, which compare the pages read either way).</summary>
    internal bool BoundsWalks { get; init; } = true;

    private int _boundWalks;

    /// <summary>Pages whose walk was bounded by the range's days, or found empty by them (for tests).</summary>
    internal int BoundWalks => Volatile.Read(ref _boundWalks);

    /// <summary>A read day by day over the days that hold <paramref name="range"/>, if there are at most <see cref="TokenListDays.MostDays"/>.</summary>
    private async Task<TokenListRead?> ReadByDaysAsync(DbConnection connection, string accountId, TokenListDays.Range range,
        CancellationToken cancellationToken)
    {
        if (!ReadsByDays)
        {
            return null;
        }
        var (sql, parameters) = TokenListDays.Days(accountId, range);
        var days = (await connection.QueryAsync<long>(new CommandDefinition(database.PlannedOnce(sql), parameters, cancellationToken: cancellationToken))).AsList();
        if (days.Count > TokenListDays.MostDays)
        {
            return null;
        }
        Interlocked.Increment(ref _dayReads);
        return new TokenListRead(TokenListNarrowing.None, range, days);
    }

    /// <summary>The SELECT of a page read as <paramref name="read"/> says.</summary>
    internal (string Sql, DynamicParameters Parameters) PageSql(string accountId, TokenQuery query, TokenListRead read) =>
        read is { Range: { } range, Days: { } days }
            ? TokenListDays.Page(database, accountId, query, range, days)
            : TokenListSql.Page(database, accountId, query, read.Narrowing, read.SortBound);

    /// <summary>False to never read a page day by day (for the tests, which compare the pages read either way).</summary>
    internal bool ReadsByDays { get; init; } = true;

    private int _dayReads;

    /// <summary>Pages chosen to be read day by day (for tests).</summary>
    internal int DayReads => Volatile.Read(ref _dayReads);

    /// <summary>How long the walk of the sort order may look for a page before the range's rows are sorted instead (zero: no walk).</summary>
    internal TimeSpan WalkBudget { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// The walk budget of one workload's page (or the unassigned tokens'): that walk passes at most the workload's tokens,
    /// about 0.2 µs each on SQLite (all of the unassigned tokens of the bench's million, 50,000, in 8-12 ms), where reading
    /// its days passes every other workload's entries of each day too (15-30 ms for those). So it goes on past
    /// <see cref="WalkBudget"/>, to the walk of about 100,000 entries; only a larger workload's page gets to the days.
    /// </summary>
    internal TimeSpan WorkloadWalkBudget { get; init; } = TimeSpan.FromMilliseconds(25);

    private int _rangeSorts;

    /// <summary>Pages whose walk ran out of <see cref="WalkBudget"/> and whose range was sorted instead (for tests).</summary>
    internal int RangeSorts => Volatile.Read(ref _rangeSorts);

    /// <summary>The largest range of one instant that is sorted by another rather than walked past (ADR 0012).</summary>
    internal const int SortedRangeBound = 50_000;

    /// <summary>
    /// A range on one instant (a created range, an expiry bound) sorted by another, too large to be the narrowing filter
    /// (SQLite): the sort order is walked, which is quick when the range's rows come early in it and may read most of the
    /// account when they come late (names and expiries rise with creation). So the walk gets <see cref="WalkBudget"/>; past
    /// it the statement is interrupted, and the page is read day by day if it can be (<see cref="TokenListDays"/>), else a
    /// range under <see cref="SortedRangeBound"/> rows is read and sorted (a day of 33,000 tokens: about 10 ms), else the
    /// walk goes on to the end. Either way the page is the same; only its cost differs. Pages come here that are not read by
    /// days at once: one workload's (its own index is walked), or a range over more days than a page reads.
    /// </summary>
    private async Task<Page<QueryToken>> WalkOrSortRangeAsync(DbConnection connection, string accountId, TokenQuery query,
        TokenListRead walk, IReadOnlyList<TokenListNarrowing> ranges, CancellationToken cancellationToken)
    {
        var walkBudget = TokenListSql.OfOneWorkload(query) ? WorkloadWalkBudget : WalkBudget;
        using (var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            if (walkBudget > TimeSpan.Zero)
            {
                budget.CancelAfter(walkBudget);
            }
            else
            {
                // No budget, no walk: CancelAfter(0) only schedules the cancel, and a quick walk finished first (a test's flake).
                await budget.CancelAsync();
            }
            try
            {
                return await database.InterruptibleAsync(connection, () => ReadAsync(connection, accountId, query, walk, budget.Token), budget.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The walk ran out of its budget: the page is read day by day, or the range's rows sorted.
            }
        }
        // Day by day where it can be: one workload's days test the workload on the index entries, a page per day; sorting a
        // range reads each of its rows (a workload's 8,000 unassigned tokens expiring within days: 25-38 ms). Any other page
        // here had its days counted already (too many).
        if (walk.Range is { } instant && TokenListSql.OfOneWorkload(query)
            && await ReadByDaysAsync(connection, accountId, instant, cancellationToken) is { } days)
        {
            return await ReadAsync(connection, accountId, query, days, cancellationToken);
        }
        foreach (var range in ranges)
        {
            var (sql, parameters) = TokenListSql.Matches(database, accountId, query, range, SortedRangeBound);
            if (await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)) < SortedRangeBound)
            {
                Interlocked.Increment(ref _rangeSorts);
                return await ReadPageAsync(connection, accountId, query, range, cancellationToken);
            }
        }
        return await ReadPageAsync(connection, accountId, query, TokenListNarrowing.None, cancellationToken);
    }

    private Task<Page<QueryToken>> ReadPageAsync(DbConnection connection, string accountId, TokenQuery query, TokenListNarrowing narrowing,
        CancellationToken cancellationToken) =>
        ReadAsync(connection, accountId, query, new TokenListRead(narrowing), cancellationToken);

    private async Task<Page<QueryToken>> ReadAsync(DbConnection connection, string accountId, TokenQuery query, TokenListRead read,
        CancellationToken cancellationToken)
    {
        if (read.Days is { Count: 0 })
        {
            return new Page<QueryToken>([], false);
        }
        var (sql, parameters) = PageSql(accountId, query, read);
        return await Keyset.ReadAsync<TokenRow, QueryToken>(connection, sql, parameters, query.Limit, r => r.ToDomain(), cancellationToken);
    }

    /// <summary>
    /// The filter that selects the fewest rows, counted up to <see cref="NarrowingBound"/> through each one's index, if any
    /// selects fewer. Where the database weighs filters itself, only before a read by days (<paramref name="byDays"/>): a
    /// few rows in range are then sorted rather than the range's days walked; left to its planner beside a range,
    /// <c>q=user</c> (every name) was read through the range's index and sorted (100-370 ms at a million tokens), where the
    /// range's days find a page at once. On either database a name search of 3+ characters, which PostgreSQL's planner
    /// cannot weigh through the account's trigrams (<see cref="SqlDatabase.MayHaveFewerNamesContainingAsync"/>: its
    /// estimate decides whether the names are counted at all), and one workload's cancelled tokens: PostgreSQL's planner
    /// took them for a tenth of the workload's, as in the seeder's mix, and walked the workload's sort order past all of
    /// its tokens where none was cancelled.
    /// </summary>
    internal async Task<TokenListNarrowing> ChooseNarrowingAsync(DbConnection connection, string accountId, TokenQuery query, bool byDays,
        CancellationToken cancellationToken)
    {
        var (best, fewest) = (TokenListNarrowing.None, (long)NarrowingBound);
        foreach (var narrowing in TokenListSql.Narrowings(query))
        {
            var substring = narrowing == TokenListNarrowing.Name && !TokenListSql.IsPrefix(query.NameContains!);
            if (database.PlansListFilters && !byDays && !substring && narrowing != TokenListNarrowing.CancelledOfWorkload)
            {
                continue;
            }
            var bound = Bound(query, narrowing, byDays);
            if (substring && !await database.MayHaveFewerNamesContainingAsync(connection, accountId, query.NameContains!.ToLowerInvariant(), bound,
                    cancellationToken))
            {
                continue;
            }
            var (sql, parameters) = TokenListSql.Matches(database, accountId, query, narrowing, bound);
            var count = await connection.ExecuteScalarAsync<long>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
            if (count < bound && count < fewest)
            {
                (best, fewest) = (narrowing, count);
            }
        }
        return best;
    }

    /// <summary>
    /// How few rows an instant's range must select to be found through its index and sorted: each costs a row read (about
    /// 3 µs). Against a walk of the sort order, <see cref="NarrowingBound"/>. Against a read by days, a fifth of it,
    /// whichever filter narrows: a day of an account of 100,000 tokens (3,333 rows) sorted took 10-14 ms on PostgreSQL,
    /// read by days a few; and counting a name prefix every name has to 5,000 took 1.3 ms of a 5 ms page. A workload's
    /// expiry range a tenth: the workload indexes hold the expiry, so walking the workload's sort order tests it on the
    /// entry (2 ms for a workload's 2,000 tokens expiring within days, at a million, where sorting them took 6-11 ms); it
    /// is counted to learn that none or few match. A workload's cancelled tokens a tenth too: walking the workload's order
    /// finds a page of them quickly where they are many, and passes over the whole workload where there are none.
    /// </summary>
    private int Bound(TokenQuery query, TokenListNarrowing narrowing, bool byDays)
    {
        var oneWorkload = TokenListSql.OfOneWorkload(query);
        return narrowing switch
        {
            TokenListNarrowing.Expires or TokenListNarrowing.CancelledOfWorkload when oneWorkload => NarrowingBound / 10,
            _ when byDays && !oneWorkload && ReadsByDays => NarrowingBound / 5,
            _ => NarrowingBound,
        };
    }

    public Task<SaveResult> InsertTokenAsync(QueryToken token, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null) =>
        database.InsertRowAsync(
            """
            INSERT INTO query_tokens (id, account_id, workload_id, name, name_folded, note, status, token_hash, hint,
                created_at, updated_at, expires_at, last_used_at, use_count, version)
            VALUES (@Id, @AccountId, @WorkloadId, @Name, @NameFolded, @Note, @Status, @TokenHash, @Hint,
                @CreatedAt, @UpdatedAt, @ExpiresAt, NULL, 0, @Version)
            """,
            Parameters(token), audit, cancellationToken, WorkloadMissing);

    public Task<SaveResult> UpdateTokenAsync(QueryToken token, CancellationToken cancellationToken, IReadOnlyList<AuditEntry>? audit = null) =>
        database.WriteRowAsync(new VersionedRow("query_tokens", token.AccountId, token.Id, token.Version),
            """
            UPDATE query_tokens SET workload_id = @WorkloadId, name = @Name, name_folded = @NameFolded, note = @Note,
                status = @Status, updated_at = @UpdatedAt, expires_at = @ExpiresAt, version = @Version + 1,
                leaked_at = @LeakedAt, leak_url = @LeakUrl, leak_source = @LeakSource
            """,
            Parameters(token), audit, cancellationToken, WorkloadMissing);

    public Task<SaveResult> DeleteTokenAsync(string accountId, string tokenId, long? expectedVersion, CancellationToken cancellationToken,
        IReadOnlyList<AuditEntry>? audit = null) =>
        database.WriteRowAsync(new VersionedRow("query_tokens", accountId, tokenId, expectedVersion), "DELETE FROM query_tokens", null, audit,
            cancellationToken);

    /// <summary>
    /// One UPDATE … FROM a row source of the whole batch (<see cref="SqlDatabase.UsageRows"/>), in one
    /// transaction: a flush of 1,000 tokens is one statement, not a thousand round trips. Uses of the same
    /// token given twice are added together first (UPDATE … FROM applies one source row per target row).
    /// Tokens deleted meanwhile are skipped. The hourly buckets get the same batch in a second statement of the same
    /// transaction.
    /// </summary>
    public Task RecordUsageAsync(IReadOnlyList<TokenUsage> usages, CancellationToken cancellationToken)
    {
        if (usages.Count == 0)
        {
            return Task.CompletedTask;
        }
        var merged = new Dictionary<string, (long Uses, long At)>(usages.Count, StringComparer.Ordinal);
        foreach (var usage in usages)
        {
            ref var sum = ref CollectionsMarshal.GetValueRefOrAddDefault(merged, usage.TokenId, out _);
            sum = (sum.Uses + usage.Uses, Math.Max(sum.At, Ms.Of(usage.LastUsedAt)));
        }
        var (ids, uses, ats) = (new string[merged.Count], new long[merged.Count], new long[merged.Count]);
        var i = 0;
        foreach (var (id, (count, at)) in merged)
        {
            (ids[i], uses[i], ats[i]) = (id, count, at);
            i++;
        }
        var (source, parameters) = database.UsageRows(ids, uses, ats);
        return database.WriteAsync(async (connection, transaction, ct) =>
        {
            await connection.ExecuteAsync(new CommandDefinition(
                $"""
                UPDATE query_tokens SET use_count = query_tokens.use_count + u.uses,
                    last_used_at = CASE WHEN query_tokens.last_used_at IS NULL OR query_tokens.last_used_at < u.at THEN u.at ELSE query_tokens.last_used_at END
                FROM {source} WHERE query_tokens.id = u.id
                """, parameters, transaction, cancellationToken: ct));
            // The same batch into the hourly buckets (ADR 0017), one statement too, in the same transaction: the counters
            // and the history never disagree. A batch's uses land in the hour of its token's newest use; the flush runs
            // every second, so at most that second's uses near an hour's end fall into the next hour. The workload is
            // the token's now, so a workload keeps its history after its tokens move. "WHERE true" lets SQLite parse
            // the upsert after a SELECT.
            await connection.ExecuteAsync(new CommandDefinition(
                $"""
                INSERT INTO usage_hours (account_id, token_id, workload_id, hour_start, uses)
                SELECT t.account_id, t.id, COALESCE(t.workload_id, ''), u.at - u.at % {UsageQuery.HourMs}, u.uses
                FROM {source} JOIN query_tokens t ON t.id = u.id WHERE true
                ON CONFLICT (account_id, token_id, hour_start, workload_id) DO UPDATE SET uses = usage_hours.uses + excluded.uses
                """, parameters, transaction, cancellationToken: ct));
        }, cancellationToken);
    }

    /// <summary>A token's workload that is not in its account (any more) breaks the foreign key.</summary>
    private SaveResult? WorkloadMissing(DbException e) => database.IsForeignKeyViolation(e) ? SaveResult.WorkloadMissing : null;

    private static object Parameters(QueryToken t) => new
    {
        t.Id,
        t.AccountId,
        t.WorkloadId,
        t.Name,
        NameFolded = t.Name.ToLowerInvariant(),
        t.Note,
        Status = TokenNames.Of(t.Status),
        TokenHash = t.Hash.ToArray(),
        t.Hint,
        CreatedAt = Ms.Of(t.CreatedAt),
        UpdatedAt = Ms.Of(t.UpdatedAt),
        ExpiresAt = Ms.Of(t.ExpiresAt),
        t.Version,
        LeakedAt = t.Leak is { } leak ? Ms.Of(leak.At) : (long?)null,
        LeakUrl = t.Leak?.Url,
        LeakSource = t.Leak?.Source,
    };

    /// <summary>A query_tokens row (<see cref="TokenListSql.Columns"/>); the workload store and the expiry scan read tokens with it too.</summary>
    internal sealed class TokenRow
    {
        public string Id { get; set; } = "";
        public string AccountId { get; set; } = "";
        public string? WorkloadId { get; set; }
        public string Name { get; set; } = "";
        public string Note { get; set; } = "";
        public string Status { get; set; } = "";
        public byte[] TokenHash { get; set; } = [];
        public string Hint { get; set; } = "";
        public long CreatedAt { get; set; }
        public long UpdatedAt { get; set; }
        public long ExpiresAt { get; set; }
        public long? LastUsedAt { get; set; }
        public long UseCount { get; set; }
        public long Version { get; set; }
        public long? LeakedAt { get; set; }
        public string? LeakUrl { get; set; }
        public string? LeakSource { get; set; }
        public string? WorkloadName { get; set; }

        public QueryToken ToDomain() => QueryToken.Rehydrate(Id, AccountId, Name, Note, WorkloadId,
            Status == "cancelled" ? TokenStatus.Cancelled : TokenStatus.Active, SecretHash.FromBytes(TokenHash), Hint,
            Ms.At(CreatedAt), Ms.At(UpdatedAt), Ms.At(ExpiresAt), Ms.At(LastUsedAt), UseCount, Version,
            LeakedAt is { } at ? new TokenLeak(Ms.At(at), LeakUrl, LeakSource) : null);
    }
}
