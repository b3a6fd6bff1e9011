using Dapper;
using Tessera.Storage.Sql;

namespace Tessera.Storage.Tests;

/// <summary>
/// Signed-out console sessions: a record every reader of the database sees at once, recorded idempotently,
/// and pruned by later sign-outs in bounded batches once the session has reached its absolute end anyway.
/// </summary>
public abstract class ConsoleSessionStoreTests(string provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : ConsoleSessionStoreTests(TempDatabase.Sqlite);

    public sealed class OnPostgres() : ConsoleSessionStoreTests(TempDatabase.Postgres);

    private const string Account = "acct_0123456789abcdef0123456789abcdef";
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    private TempDatabase _db = null!;
    private SqlConsoleSessionStore _sessions = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _db = await TempDatabase.CreateMigratedAsync(provider, Ct);
        _sessions = new SqlConsoleSessionStore(_db.Database);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task A_signed_out_session_is_revoked_and_only_that_one_and_signing_out_twice_changes_nothing()
    {
        var session = Session(1);
        var other = Session(2);
        Assert.False(await _sessions.IsRevokedAsync(session, Ct));

        Assert.Equal(0, await _sessions.RevokeAsync(session, Account, T0, T0 + Lifetime, 100, Ct));

        Assert.True(await _sessions.IsRevokedAsync(session, Ct));
        Assert.False(await _sessions.IsRevokedAsync(other, Ct));
        // Again (a second tab, a retried post): no error, one record, the first expiry kept.
        Assert.Equal(0, await _sessions.RevokeAsync(session, Account, T0.AddMinutes(1), T0 + Lifetime + TimeSpan.FromHours(1), 100, Ct));
        Assert.True(await _sessions.IsRevokedAsync(session, Ct));
        Assert.Equal([(session, Ms(T0 + Lifetime))], await RecordsAsync());
    }

    [Fact]
    public async Task Sign_outs_delete_records_of_ended_sessions_in_bounded_batches_and_keep_the_rest()
    {
        // Five sessions signed out at T0 that ended an hour apart, and one that lives two days.
        for (var i = 0; i < 5; i++)
        {
            await _sessions.RevokeAsync(Session(i), Account, T0, T0.AddHours(i + 1), 100, Ct);
        }
        await _sessions.RevokeAsync(Session(9), Account, T0, T0.AddDays(2), 100, Ct);

        // At T0 + 3 h, sessions 0 and 1 have ended; session 2 ends at this very instant and is kept (refused by its age anyway).
        Assert.Equal(2, await _sessions.RevokeAsync(Session(10), Account, T0.AddHours(3), T0.AddHours(27), 100, Ct));
        Assert.False(await _sessions.IsRevokedAsync(Session(0), Ct));
        Assert.True(await _sessions.IsRevokedAsync(Session(2), Ct));

        // A day later the rest of the first five have ended: two per sign-out at most, the oldest first.
        var later = T0.AddDays(1);
        Assert.Equal(2, await _sessions.RevokeAsync(Session(11), Account, later, later + Lifetime, 2, Ct));
        Assert.Equal([Session(4), Session(9), Session(10), Session(11)], (await RecordsAsync()).Select(r => r.Session));
        Assert.Equal(1, await _sessions.RevokeAsync(Session(12), Account, later, later + Lifetime, 2, Ct));
        Assert.Equal(0, await _sessions.RevokeAsync(Session(13), Account, later, later + Lifetime, 2, Ct));

        // What has not ended is still refused, including the sign-outs that did the pruning.
        foreach (var live in new[] { 9, 10, 11, 12, 13 })
        {
            Assert.True(await _sessions.IsRevokedAsync(Session(live), Ct));
        }
        Assert.Equal(5, (await RecordsAsync()).Count);
    }

    private static string Session(int n) => $"ses_{n:x32}";

    private static long Ms(DateTimeOffset instant) => instant.ToUnixTimeMilliseconds();

    private async Task<List<(string Session, long ExpiresAt)>> RecordsAsync()
    {
        await using var connection = await _db.Database.OpenAsync(Ct);
        return [.. await connection.QueryAsync<(string, long)>(
            "SELECT session_id, expires_at FROM revoked_console_sessions ORDER BY session_id")];
    }
}
