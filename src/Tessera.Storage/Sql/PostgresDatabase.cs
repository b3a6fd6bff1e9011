using System.Data.Common;
using System.Globalization;
using System.Text.RegularExpressions;
using Dapper;
using Npgsql;
using Tessera.Core;

namespace Tessera.Storage.Sql;

/// <summary>
/// PostgreSQL (and engines that speak its protocol) through one pooled <see cref="NpgsqlDataSource"/>.
/// Several Tessera servers may share the database: migrations and the first-start bootstrap are
/// serialized by advisory locks, and rules spanning rows lock the row they hang on.
/// </summary>
public sealed partial class PostgresDatabase : SqlDatabase
{
    /// <summary>How long opening a connection or running one statement may take before the call fails (503).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    // Advisory lock keys: any two constants, unlikely to collide with an application sharing the database ("TESS", "ERA").
    private const long MigrationLockKey = 0x5445_5353_0000_0001;
    private const long StartupLockKey = 0x5445_5353_0000_0002;

    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Whether statements are prepared on the connections (automatically, unless <c>Max Auto Prepare=0</c>).</summary>
    private readonly bool _prepares;

    /// <param name="connectionString">An Npgsql connection string (Host=…;Database=…;Username=…;Password=…).</param>
    /// <param name="timeout">Connect and command timeout, in whole seconds (rounded up), overriding the connection string's.</param>
    public PostgresDatabase(string connectionString, TimeSpan timeout)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            // The message names the offending keyword, never a password.
            throw new TesseraConfigurationException($"Tessera:Database:ConnectionString is not a valid PostgreSQL connection string: {e.Message}");
        }
        if (string.IsNullOrEmpty(builder.Host))
        {
            throw new TesseraConfigurationException("Tessera:Database:ConnectionString must name a Host for the postgres provider.");
        }
        var seconds = (int)Math.Ceiling(timeout.TotalSeconds);
        if (seconds <= 0)
        {
            throw new TesseraConfigurationException("Tessera:Database:Timeout must be positive, e.g. 00:00:05.");
        }
        builder.Pooling = true;
        builder.Timeout = seconds;
        builder.CommandTimeout = seconds;
        // A cancelled or timed-out statement breaks its connection at once instead of waiting (2 s by default)
        // for the server to confirm the cancel: a database that hangs confirms nothing, and every request has
        // a deadline of Tessera:Database:Timeout in total (issue 13).
        builder.CancellationTimeout = -1;
        // Automatic preparation: a statement run twice on a pooled connection is prepared there and reused,
        // which covers the hot queries (token lookup by hash, usage update, license-key lookup).
        if (builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = 64;
            builder.AutoPrepareMinUsages = 2;
        }
        // No incremental sort: given an index on expiry alone (the expiry scan's), the planner sorted "a page by expiry,
        // then id" from it, counting on small groups of equal expiries, and one group of 50,000 tokens imported with one
        // expiry took 100–155 ms a page where the account's own (account, expires_at, id) index answers in 0.3 ms
        // (ADR 0012). Every list has an index in its full order; nothing here needs a sort finished from a partial one.
        builder.Options = string.Join(' ', new[] { builder.Options, "-c enable_incremental_sort=off" }.Where(o => !string.IsNullOrWhiteSpace(o)));
        builder.ApplicationName ??= "tessera";
        _prepares = builder.MaxAutoPrepare > 0;
        Timeout = TimeSpan.FromSeconds(seconds);
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    public override string Provider => "postgres";

    /// <summary>The effective connect and command timeout.</summary>
    public TimeSpan Timeout { get; }

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>
    /// A connection whose statements are planned for their values every time (<c>plan_cache_mode = force_custom_plan</c>).
    /// A statement is prepared at its second use (above), and after five plans for its values PostgreSQL keeps a generic
    /// plan, made blind to them, whenever that plan's estimate is no worse; a list page's cost depends on the values (at
    /// a million tokens a name search with an expiry bound read 157,000 expiry entries beside the trigrams in its generic
    /// plan: 12 ms, against 1). The pool's reset on return (RESET ALL) gives the next user PostgreSQL's default again, so
    /// the key lookups keep their generic plans and are not planned per call. Without prepared statements
    /// (<c>Max Auto Prepare=0</c>, as behind PgBouncer in transaction mode, where a session setting would stay with a server
    /// connection another client gets next) every statement is planned for its values already, and nothing is set.
    /// </summary>
    public override async Task<DbConnection> OpenForListsAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        if (!_prepares)
        {
            return connection;
        }
        try
        {
            await SetPlanCacheModeAsync(connection, "force_custom_plan", cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public override bool TestsEveryIndexConditionOnEachEntry => true;

    /// <summary>
    /// A day-by-day page planned for its values planned each of its arms, one per day and status (up to 96): planning, not
    /// reading, was most of such a page's cost (14 arms: 2.4 ms planned, 0.45 run; docs/perf.md). Joined laterally to the
    /// list of days and statuses, its one SELECT is planned once per call (0.2 ms) and run per day and status; it reads a
    /// page from each where the arms' merge read only what the page took (0.45 → 0.9 ms).
    /// </summary>
    public override bool JoinsLaterally => true;

    /// <summary>
    /// A list's connection plans each statement for its values (<see cref="OpenForListsAsync"/>); the seeks of a range's
    /// days are planned alike whatever the values, and planning them cost 1.3 ms a call where the kept plan costs 0.36 (a
    /// walk's bound over six days of expiries, its EXECUTE timed in psql; docs/perf.md). So they run with the kept plan,
    /// and the setting is put back for the page: the three statements are sent together, one round trip, and PostgreSQL
    /// runs each before it plans the next.
    /// </summary>
    public override string PlannedOnce(string sql) =>
        _prepares ? $"SET plan_cache_mode = force_generic_plan;\n{sql};\nSET plan_cache_mode = force_custom_plan" : sql;

    private static async Task SetPlanCacheModeAsync(DbConnection connection, string mode, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SET plan_cache_mode = {mode}", (NpgsqlConnection)connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public override string NowMs => "tessera_now_ms()";

    public override bool PushesChanges => true;

    /// <summary>The channel migration 0010's trigger NOTIFYs with the highest position of each change.</summary>
    public const string ChangeChannel = "tessera_token_changes";

    /// <summary>How long a listening connection stays silent before it is checked (a dead peer is otherwise noticed only by TCP).</summary>
    private static readonly TimeSpan ListenKeepAlive = TimeSpan.FromSeconds(15);

    public override async Task ListenForChangesAsync(Action changed, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        connection.Notification += (_, _) => changed();
        await using (var listen = new NpgsqlCommand($"LISTEN {ChangeChannel}", connection))
        {
            await listen.ExecuteNonQueryAsync(cancellationToken);
        }
        // Whatever committed before LISTEN took effect was not notified here: read it now.
        changed();
        while (true)
        {
            if (!await connection.WaitAsync(ListenKeepAlive, cancellationToken))
            {
                await using var ping = new NpgsqlCommand("SELECT 1", connection);
                await ping.ExecuteScalarAsync(cancellationToken);
            }
        }
    }

    /// <summary>
    /// ANALYZE of the listed tables. Autovacuum analyzes too, but only after a share of the table has changed and its
    /// next round has come: right after a bulk load (an import, a restore) the planner would choose the list pages'
    /// indexes from the figures of a smaller table. Sampled, so a fraction of a second at a million tokens.
    /// </summary>
    public override async Task RefreshStatisticsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        // No command timeout: a background job, and sampling 10M audit entries on a busy server may take longer than a query may.
        await connection.ExecuteAsync(new CommandDefinition("ANALYZE query_tokens; ANALYZE audit_entries;", commandTimeout: 0, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// The account's trigrams of the name (migration 0021) containing the text's: a key holds one account's names only.
    /// The text's trigrams are made by the same function, so both sides agree on what a character is.
    /// </summary>
    public override string NameContainsCondition(string folded, DynamicParameters parameters)
    {
        parameters.Add("nameFolded", folded);
        return "tessera_name_trigrams(t.account_id, t.name_folded) @> tessera_name_trigrams(@accountId, @nameFolded)";
    }

    /// <summary>The trigram index's candidates, each tested with the LIKE (a key set can hold a text's trigrams apart).</summary>
    public override string NameContainsRows(string folded, DynamicParameters parameters)
    {
        parameters.Add("nameContains", TokenListSql.ContainsPattern(folded));
        return $"SELECT 1 FROM query_tokens t WHERE t.account_id = @accountId AND {NameContainsCondition(folded, parameters)}" +
            " AND t.name_folded LIKE @nameContains ESCAPE '\\'";
    }

    /// <summary>
    /// The planner's estimate of the account's names matching the <c>LIKE</c>, from the names' histogram (EXPLAIN's rows,
    /// as PostgreSQL's wiki counts estimates): no row is read. The trigram index answers a count with a bitmap, which reads
    /// every match before the first row, so a substring most names have is not counted: 100,000 matches cost 10-20 ms.
    /// The planner cannot weigh the index's condition itself: its keys carry the account, so it takes each key for as
    /// rare as the account is among all tokens, and multiplies them (a substring every name has, with 100 accounts,
    /// for 10 rows).
    /// </summary>
    public override async Task<bool> MayHaveFewerNamesContainingAsync(DbConnection connection, string accountId, string folded, long bound,
        CancellationToken cancellationToken)
    {
        var plan = await connection.QueryFirstAsync<string>(new CommandDefinition(
            "EXPLAIN SELECT 1 FROM query_tokens t WHERE t.account_id = @accountId AND t.name_folded LIKE @nameContains ESCAPE '\\'",
            new { accountId, nameContains = TokenListSql.ContainsPattern(folded) }, cancellationToken: cancellationToken));
        return long.Parse(EstimatedRows().Match(plan).Groups[1].ValueSpan, CultureInfo.InvariantCulture) < bound;
    }

    [GeneratedRegex(@" rows=(\d+) ")]
    private static partial Regex EstimatedRows();

    /// <summary>Npgsql sends an array as one parameter (bytea[], bigint[]); Dapper leaves it whole.</summary>
    public override string EqualsAny(string parameter) => $"= ANY(@{parameter})";

    public override string SkipLockedRows => " FOR UPDATE OF d SKIP LOCKED";

    public override bool IsUniqueViolation(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    public override bool IsForeignKeyViolation(DbException exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation };

    /// <summary>Three arrays, unnested side by side (Npgsql sends them as text[] and bigint[]).</summary>
    public override (string Source, object Parameters) UsageRows(string[] ids, long[] uses, long[] ats) =>
        ("unnest(@ids, @uses, @ats) AS u (id, uses, at)", new { ids, uses, ats });

    /// <summary>jsonb_to_recordset with the columns typed.</summary>
    public override string JsonRows(string parameter, string alias, params (string Name, string Type)[] columns) =>
        $"jsonb_to_recordset(CAST(@{parameter} AS jsonb)) AS {alias} ({string.Join(", ", columns.Select(c => $"{c.Name} {c.Type}"))})";

    /// <summary>Row lock on the account: two revocations of an account's last two keys cannot both pass the count.</summary>
    public override Task LockAccountAsync(DbConnection connection, DbTransaction transaction, string accountId, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "SELECT 1 FROM accounts WHERE id = @accountId FOR UPDATE", new { accountId }, transaction, cancellationToken: cancellationToken));

    /// <summary>
    /// Row lock on the workload being deleted: a concurrent assignment to it then either lands before
    /// (and is unassigned) or fails its foreign key after (422), instead of failing the delete.
    /// </summary>
    public override Task LockWorkloadAsync(DbConnection connection, DbTransaction transaction, string accountId, string workloadId, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "SELECT 1 FROM workloads WHERE account_id = @accountId AND id = @workloadId FOR UPDATE",
            new { accountId, workloadId }, transaction, cancellationToken: cancellationToken));

    /// <summary>Servers starting at once migrate one after another; the later ones find nothing to do.</summary>
    public override Task LockMigrationsAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(@key)", new { key = MigrationLockKey }, transaction, cancellationToken: cancellationToken));

    /// <summary>A session advisory lock held on its own connection until disposed (released by PostgreSQL if the process dies).</summary>
    public override async Task<IAsyncDisposable> HoldStartupLockAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@key)", new { key = StartupLockKey }, cancellationToken: cancellationToken));
            return new StartupLock(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    protected override ValueTask DisposeAsyncCore() => _dataSource.DisposeAsync();

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"postgres (timeout {Timeout.TotalSeconds} s)");

    private sealed class StartupLock(DbConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await connection.ExecuteAsync("SELECT pg_advisory_unlock(@key)", new { key = StartupLockKey });
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }
}
