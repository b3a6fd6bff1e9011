using Dapper;
using Tessera.Core.Accounts;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Storage.Sql;

namespace Tessera.Storage.Tests;

/// <summary>
/// The expiry marks the expiry-day indexes hold (<see cref="PassedExpiries"/>, migration 0017): only active tokens whose expiry
/// passed in the window are marked, earliest first, each once; a renewal undoes the mark without writing it; nobody
/// reading a token sees a mark. Both databases.
/// </summary>
public abstract class PassedExpiriesTests(string provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : PassedExpiriesTests(TempDatabase.Sqlite);

    public sealed class OnPostgres() : PassedExpiriesTests(TempDatabase.Postgres);

    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private TempDatabase _db = null!;
    private Account _account = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _db = await TempDatabase.CreateMigratedAsync(provider, Ct);
        _account = await _db.AddAccountAsync("Provider", T0.AddDays(-20), Ct);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task Only_active_tokens_whose_expiry_passed_in_the_window_are_marked_earliest_first_and_a_renewal_undoes_the_mark()
    {
        var workload = await _db.AddWorkloadAsync(_account.Id, "Llama", T0.AddDays(-20), Ct);
        var first = await _db.AddTokenAsync(_account.Id, "first", workload.Id, T0.AddDays(-1), TimeSpan.FromHours(25), cancelled: false, Ct);
        var second = await _db.AddTokenAsync(_account.Id, "second", null, T0.AddDays(-1), TimeSpan.FromHours(26), cancelled: false, Ct);
        var cancelled = await _db.AddTokenAsync(_account.Id, "cancelled", workload.Id, T0.AddDays(-1), TimeSpan.FromHours(25), cancelled: true, Ct);
        var live = await _db.AddTokenAsync(_account.Id, "live", workload.Id, T0.AddDays(-1), TimeSpan.FromHours(29), cancelled: false, Ct);
        var old = await _db.AddTokenAsync(_account.Id, "old", workload.Id, T0.AddDays(-20), TimeSpan.FromDays(1), cancelled: false, Ct);
        var feed = new SqlTokenChangeFeed(_db.Database);
        var position = await feed.LatestPositionAsync(Ct);
        var before = await ReadAsync(first, second, cancelled, live, old);

        // At T0 + 3h: first (T0 + 1h) and second (T0 + 2h) have passed, earliest first, one a write here; live has not, the
        // cancelled token needs no mark (its status keeps it apart), old is before the window.
        var marks = new PassedExpiries(_db.Database);
        var (from, until) = (T0.AddHours(3).AddDays(-2), T0.AddHours(3).AddMinutes(-1));
        Assert.Equal((1, first.ExpiresAt), await marks.MarkAsync(from, until, 1, Ct));
        Assert.Equal((1, second.ExpiresAt), await marks.MarkAsync(from, until, 10, Ct));
        Assert.Equal((0, (DateTimeOffset?)null), await marks.MarkAsync(from, until, 10, Ct));
        Assert.Equal([first.Id, second.Id], await HeldAsync("expired"));
        Assert.Equal([cancelled.Id], await HeldAsync("cancelled"));

        // A mark changes nothing a reader sees: the tokens read as before, and the token feed (what gateways follow) is as it was.
        Assert.Equal(before, await ReadAsync(first, second, cancelled, live, old));
        Assert.Equal(position, await feed.LatestPositionAsync(Ct));

        // Renewed, the first token is active again in the indexes, and the next pass does not mark its new expiry.
        first.Renew(T0.AddHours(3), TimeSpan.FromDays(30));
        Assert.Equal(SaveResult.Saved, await _db.Tokens.UpdateTokenAsync(first, Ct));
        Assert.Equal((0, (DateTimeOffset?)null), await marks.MarkAsync(from, until, 10, Ct));
        Assert.Equal([second.Id], await HeldAsync("expired"));
        // Cancelled after its mark, the second token is held as cancelled.
        second.Cancel(T0.AddHours(3));
        Assert.Equal(SaveResult.Saved, await _db.Tokens.UpdateTokenAsync(second, Ct));
        Assert.Empty(await HeldAsync("expired"));
        Assert.Equal([cancelled.Id, second.Id], await HeldAsync("cancelled"));
        Assert.Equal([first.Id, live.Id, old.Id], await HeldAsync("active"));
    }

    /// <summary>The tokens the day indexes hold with <paramref name="status"/> (<see cref="TokenListDays.ExpiryStatus"/>), by name.</summary>
    private async Task<List<string>> HeldAsync(string status)
    {
        await using var connection = await _db.Database.OpenAsync(Ct);
        return (await connection.QueryAsync<string>($"SELECT t.id FROM query_tokens t WHERE {TokenListDays.ExpiryStatus} = @status ORDER BY t.name",
            new { status })).AsList();
    }

    private async Task<string> ReadAsync(params QueryToken[] tokens)
    {
        var read = new List<string>();
        foreach (var token in tokens)
        {
            var stored = await _db.Tokens.GetTokenAsync(_account.Id, token.Id, Ct);
            read.Add(System.Text.Json.JsonSerializer.Serialize(stored));
        }
        return string.Join("\n", read);
    }
}
