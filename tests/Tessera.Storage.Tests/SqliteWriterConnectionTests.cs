using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using Tessera.Core.Storage;
using Tessera.Storage.Sql;

namespace Tessera.Storage.Tests;

/// <summary>
/// The SQLite writer's connection keeps each statement compiled from one write to the next (ADR 0009), and a command
/// kept must answer exactly as a fresh one would: new values bound, schema changes seen, a failed or unfinished run
/// never handed on, at most <see cref="SqliteWriterConnection.Capacity"/> statements kept.
/// </summary>
public sealed class SqliteWriterConnectionTests : IAsyncLifetime
{
    private const string Insert = "INSERT INTO notes (id, body) VALUES (@id, @body)";

    private readonly SqliteWriterConnection _connection = new("Data Source=:memory:");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _connection.OpenAsync(Ct);
        await _connection.ExecuteAsync("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    [Fact]
    public async Task The_stores_writes_compile_each_statement_once_however_many_writes_run_it()
    {
        await using var db = await TempDatabase.CreateMigratedAsync(Ct);
        var account = await db.AddAccountAsync("Provider", DateTimeOffset.UnixEpoch, Ct);
        var compilations = new List<int>();
        for (var i = 0; i < 20; i++)
        {
            await db.AddTokenAsync(account.Id, $"user {i}", workloadId: null, DateTimeOffset.UnixEpoch, Ct);
            compilations.Add(await db.Database.WriteAsync((connection, _, _) =>
                Task.FromResult(WriteOutcome.Commit(((SqliteWriterConnection)connection).Compilations)), Ct));
        }

        // The first creation compiles its statements (the token, the savepoints); the next nineteen, the same
        // statements with other values, compile none.
        Assert.True(compilations[0] > 0);
        Assert.All(compilations, c => Assert.Equal(compilations[0], c));
        Assert.Equal(20, (await db.Tokens.ListTokensAsync(account.Id, new TokenQuery { Now = DateTimeOffset.UnixEpoch, Limit = 50 }, Ct)).Items.Count);
    }

    [Fact]
    public async Task A_kept_statement_binds_the_values_of_each_run()
    {
        var compilations = _connection.Compilations;
        for (var i = 1; i <= 5; i++)
        {
            await _connection.ExecuteAsync(Insert, new { id = i, body = $"note {i}" });
        }

        Assert.Equal(compilations + 1, _connection.Compilations);
        Assert.Equal(["note 1", "note 2", "note 3", "note 4", "note 5"], await _connection.QueryAsync<string>("SELECT body FROM notes ORDER BY id"));
    }

    [Fact]
    public async Task A_kept_statement_sees_a_change_of_the_schema()
    {
        await _connection.ExecuteAsync(Insert, new { id = 1, body = "before" });
        const string Read = "SELECT * FROM notes ORDER BY id";
        Assert.Equal(2, (await _connection.QueryAsync(Read)).Cast<IDictionary<string, object>>().Single().Count);

        await _connection.ExecuteAsync("ALTER TABLE notes ADD COLUMN tag TEXT");
        await _connection.ExecuteAsync("UPDATE notes SET tag = 'new'");

        var row = (await _connection.QueryAsync(Read)).Cast<IDictionary<string, object>>().Single();
        Assert.Equal("new", row["tag"]);
    }

    [Fact]
    public async Task A_statement_whose_run_failed_is_not_kept_and_its_text_runs_again()
    {
        await _connection.ExecuteAsync(Insert, new { id = 1, body = "first" });
        var compilations = _connection.Compilations;

        await Assert.ThrowsAsync<SqliteException>(() => _connection.ExecuteAsync(Insert, new { id = 1, body = "duplicate" }));
        await _connection.ExecuteAsync(Insert, new { id = 2, body = "second" });

        // The failed command was dropped: the next run compiled afresh, and bound its own values.
        Assert.Equal(compilations + 1, _connection.Compilations);
        Assert.Equal(["first", "second"], await _connection.QueryAsync<string>("SELECT body FROM notes ORDER BY id"));
    }

    [Fact]
    public async Task A_command_disposed_with_its_reader_open_is_not_handed_on()
    {
        await _connection.ExecuteAsync(Insert, new { id = 1, body = "one" });
        await _connection.ExecuteAsync(Insert, new { id = 2, body = "two" });
        const string Read = "SELECT body FROM notes ORDER BY id";
        DbDataReader reader;
        using (var command = ((DbConnection)_connection).CreateCommand())
        {
            command.CommandText = Read;
            reader = await command.ExecuteReaderAsync(Ct);
            Assert.True(await reader.ReadAsync(Ct));
        }

        Assert.Equal(0, _connection.Kept(Read));
        Assert.Equal(["one", "two"], await _connection.QueryAsync<string>(Read));
        await reader.DisposeAsync();
    }

    [Fact]
    public async Task Two_commands_of_one_text_open_at_once_each_get_their_own_and_one_is_kept()
    {
        await _connection.ExecuteAsync(Insert, new { id = 1, body = "one" });
        await _connection.ExecuteAsync(Insert, new { id = 2, body = "two" });
        const string Read = "SELECT body FROM notes WHERE id = @id";
        using var first = Command(Read, 1);
        using var second = Command(Read, 2);

        Assert.Equal("one", await first.ExecuteScalarAsync(Ct));
        Assert.Equal("two", await second.ExecuteScalarAsync(Ct));
        first.Dispose();
        second.Dispose();

        Assert.Equal(1, _connection.Kept(Read));
    }

    [Fact]
    public async Task At_most_the_capacity_is_kept_and_the_least_recently_used_goes_first()
    {
        for (var i = 0; i < SqliteWriterConnection.Capacity + 10; i++)
        {
            await _connection.ExecuteScalarAsync<long>($"SELECT {i}");
        }
        var compilations = _connection.Compilations;

        Assert.Equal(SqliteWriterConnection.Capacity, _connection.KeptCount);
        Assert.Equal(SqliteWriterConnection.Capacity + 9, await _connection.ExecuteScalarAsync<long>($"SELECT {SqliteWriterConnection.Capacity + 9}"));
        Assert.Equal(compilations, _connection.Compilations);
        Assert.Equal(0, await _connection.ExecuteScalarAsync<long>("SELECT 0"));
        Assert.Equal(compilations + 1, _connection.Compilations);
        Assert.Equal(SqliteWriterConnection.Capacity, _connection.KeptCount);
    }

    [Fact]
    public async Task Parameter_names_without_a_prefix_bind_as_at_names()
    {
        using var command = ((DbConnection)_connection).CreateCommand();
        command.CommandText = Insert;
        foreach (var (name, value) in new (string, object)[] { ("id", 7), ("body", "bare") })
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        Assert.Equal(1, await command.ExecuteNonQueryAsync(Ct));
        Assert.Equal("bare", await _connection.ExecuteScalarAsync<string>("SELECT body FROM notes WHERE id = 7"));
    }

    private DbCommand Command(string text, long id)
    {
        var command = ((DbConnection)_connection).CreateCommand();
        command.CommandText = text;
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@id";
        parameter.Value = id;
        command.Parameters.Add(parameter);
        return command;
    }
}
