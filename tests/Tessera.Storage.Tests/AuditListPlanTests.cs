using Dapper;
using Tessera.Core.Storage;
using Tessera.Storage.Sql;

namespace Tessera.Storage.Tests;

/// <summary>
/// Every GET /v1/audit filter combination (objectId × action × from/to, first page and the page after a cursor) is
/// answered from an index that leads with the account, over an analyzed trail of many entries and two accounts.
/// </summary>
public abstract class AuditListPlanTests(string provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : AuditListPlanTests(TempDatabase.Sqlite);

    public sealed class OnPostgres() : AuditListPlanTests(TempDatabase.Postgres)
    {
        /// <summary>
        /// An audit page is planned for its values on every call, as a token page is
        /// (<see cref="TokenListPlanTests.OnPostgres.A_list_page_is_planned_for_its_values_on_every_call"/>): prepared at its
        /// second use, it would otherwise keep a generic plan after five calls, blind to the object, the action and the range.
        /// </summary>
        [Fact]
        public async Task An_audit_page_is_planned_for_its_values_on_every_call()
        {
            var query = new AuditQuery { Action = "token.action3", From = Now.AddDays(-30), To = Now.AddDays(-29) };
            await ListPlanning.AssertEachCallPlannedForItsValuesAsync(Database.PostgresConnectionString!, "audit_entries",
                database => new SqlAuditStore(database).ListAsync("acct_main", query, Ct), Ct);
        }
    }

    private const int Entries = 40_000;

    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private TempDatabase _db = null!;

    private protected TempDatabase Database => _db;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _db = await TempDatabase.CreateMigratedAsync(provider, Ct);
        await using var connection = await _db.Database.OpenAsync(Ct);
        var postgres = _db.Database.Provider == "postgres";
        var rows = postgres
            ? "SELECT i FROM generate_series(0, @count - 1) AS s(i)"
            : "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < @count) SELECT i FROM s";
        var hex = postgres ? "lpad(to_hex({0}), 32, '0')" : "printf('%032x', {0})";
        // Two accounts (every tenth entry is the other's), eleven actions, a thousand objects, 90 days.
        await connection.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO audit_entries (id, account_id, occurred_at, actor_type, actor_id, action, object_id, before_json, after_json, client_ip)
            SELECT 'aud_' || {string.Format(System.Globalization.CultureInfo.InvariantCulture, hex, "i")},
                CASE WHEN i % 10 = 0 THEN 'acct_other' ELSE 'acct_main' END, @now - (@count - i) * CAST(129600 AS BIGINT),
                'license_key', 'key_1', CASE WHEN i % 2 = 0 THEN 'token.created' ELSE 'token.action' || (i % 11) END,
                'tok_' || {string.Format(System.Globalization.CultureInfo.InvariantCulture, hex, "i % 1000")}, NULL, NULL, NULL
            FROM ({rows}) AS g
            """, new { count = Entries, now = Now.ToUnixTimeMilliseconds() }, commandTimeout: 0, cancellationToken: Ct));
        await _db.Database.RefreshStatisticsAsync(Ct);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task Every_combination_of_audit_filters_and_page_is_answered_from_an_index()
    {
        var failures = new List<string>();
        var plans = 0;
        await using var connection = await _db.Database.OpenAsync(Ct);
        // The check must be able to fail: a query no index serves is recognised as a scan.
        Assert.NotEmpty(TokenListPlans.FullScans(await TokenListPlans.ExplainAsync(_db.Database, connection,
            "SELECT id FROM audit_entries WHERE client_ip = 'x'", new DynamicParameters(), Ct)));
        var cursor = new ListCursor("audit", "occurredAt", "aud_" + new string('8', 32), Now.AddDays(-45).ToUnixTimeMilliseconds(), null);
        foreach (var objectId in new[] { null, "tok_" + new string('0', 29) + "3e7" })
        {
            foreach (var action in new[] { null, "token.created", "token.action3" })
            {
                foreach (var (from, to) in new (DateTimeOffset?, DateTimeOffset?)[] { (null, null), (Now.AddDays(-30), null), (null, Now.AddDays(-29)), (Now.AddDays(-30), Now.AddDays(-29)) })
                {
                    foreach (var after in new[] { null, cursor })
                    {
                        var query = new AuditQuery { ObjectId = objectId, Action = action, From = from, To = to, After = after };
                        var (sql, parameters) = SqlAuditStore.ListSql("acct_main", query);
                        var plan = await TokenListPlans.ExplainAsync(_db.Database, connection, sql, parameters, Ct);
                        plans++;
                        // On PostgreSQL an incremental sort of one instant's entries is its own, cheap, choice.
                        if (TokenListPlans.FullScans(plan).Count > 0 || TokenListPlans.Indexes(plan).Count == 0
                            || (_db.Database.Provider != "postgres" && TokenListPlans.SortsTheAccount(plan)))
                        {
                            failures.Add($"{query}:\n    {string.Join("\n    ", plan)}");
                        }
                    }
                }
            }
        }

        Assert.Equal(48, plans);
        Assert.True(failures.Count == 0, $"{failures.Count} of {plans} audit plans read entries without an index:\n{string.Join("\n", failures)}");
    }
}
