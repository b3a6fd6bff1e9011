using System.Buffers;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Tessera.Storage.Sql;

/// <summary>
/// Inserts many rows in a few statements: a bulk import's batch of 1,000 tokens is not thousands of round trips. On
/// PostgreSQL, multi-row <c>INSERT … VALUES (…), (…)</c> statements of at most <see cref="MaxParameters"/> parameters
/// each (a round trip costs far more than the row); on SQLite, one statement over a JSON array of the rows.
/// </summary>
internal static class SqlRows
{
    /// <summary>Well under SQLite's 32,766 and PostgreSQL's 65,535 parameters per statement.</summary>
    public const int MaxParameters = 2_000;

    /// <param name="connection">The write's connection.</param>
    /// <param name="transaction">The write's transaction.</param>
    /// <param name="insert">The statement up to VALUES, e.g. <c>INSERT INTO t (a, b)</c>.</param>
    /// <param name="rows">The rows, each with one value per column of <paramref name="insert"/>, in order (null only in text columns).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <remarks>
    /// Written on <see cref="DbCommand"/> rather than Dapper, for the bulk import's sake (issue 17, docs/perf.md): every
    /// full statement of a batch reuses one command, prepared once, whose values alone change; and the parameter names
    /// carry their <c>@</c>. Dapper strips the prefix, and Microsoft.Data.Sqlite then tried the bare name and each of
    /// three prefixes: four searches of the statement's names for every value, which took half the server's CPU in an
    /// import.
    /// </remarks>
    public static async Task InsertAsync(DbConnection connection, DbTransaction transaction, string insert, IReadOnlyList<object?[]> rows,
        CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }
        if (connection is SqliteConnection)
        {
            await InsertFromJsonAsync(connection, transaction, insert, rows, cancellationToken);
            return;
        }
        var columns = rows[0].Length;
        var perStatement = Math.Max(1, MaxParameters / columns);
        var (full, rest) = Math.DivRem(rows.Count, perStatement);
        if (full > 0)
        {
            await using var command = Command(connection, transaction, insert, perStatement, columns);
            for (var statement = 0; statement < full; statement++)
            {
                await RunAsync(command, rows, statement * perStatement, perStatement, columns, cancellationToken);
            }
        }
        if (rest > 0)
        {
            await using var command = Command(connection, transaction, insert, rest, columns);
            await RunAsync(command, rows, full * perStatement, rest, columns, cancellationToken);
        }
    }

    /// <summary>Runs <paramref name="command"/> with the values of rows <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/>.</summary>
    private static Task<int> RunAsync(DbCommand command, IReadOnlyList<object?[]> rows, int first, int count, int columns,
        CancellationToken cancellationToken)
    {
        for (var r = 0; r < count; r++)
        {
            var row = rows[first + r];
            for (var c = 0; c < columns; c++)
            {
                command.Parameters[r * columns + c].Value = row[c] ?? DBNull.Value;
            }
        }
        return command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// SQLite: every row in one statement, the rows one JSON array of arrays read with <c>json_each</c> (a byte array as
    /// hex, written back with <c>unhex</c>), so one parameter is bound however many rows there are. Bound one by one,
    /// each value's name was looked up in the statement's list of names (11 % of an import's CPU in <c>strncmp</c>,
    /// docs/perf.md), and the rows went in 38 at a time, each statement's release walking the savepoint journal the
    /// batch had grown so far (8 % in <c>memjrnlTruncate</c>).
    /// </summary>
    private static async Task InsertFromJsonAsync(DbConnection connection, DbTransaction transaction, string insert, IReadOnlyList<object?[]> rows,
        CancellationToken cancellationToken)
    {
        var columns = rows[0].Length;
        var select = new StringBuilder(insert).Append(" SELECT ");
        for (var c = 0; c < columns; c++)
        {
            var blob = rows.Any(row => row[c] is byte[]);
            select.Append(c == 0 ? "" : ", ").Append(blob ? $"unhex(value ->> {c})" : $"value ->> {c}");
        }
        select.Append(" FROM json_each(@rows)");
        var buffer = new ArrayBufferWriter<byte>(rows.Count * columns * 24);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true }))
        {
            json.WriteStartArray();
            foreach (var row in rows)
            {
                json.WriteStartArray();
                foreach (var value in row)
                {
                    Write(json, value);
                }
                json.WriteEndArray();
            }
            json.WriteEndArray();
        }
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = select.ToString();
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@rows";
        parameter.Value = Encoding.UTF8.GetString(buffer.WrittenSpan);
        command.Parameters.Add(parameter);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>One value as SQLite's JSON reads it back: a number as an integer, a string as text (as its UTF-8 would be bound), bytes as hex.</summary>
    private static void Write(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case string text:
                // A lone surrogate has no UTF-8: written as the replacement character, as binding the string would store it.
                json.WriteStringValue(text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0 ? text : Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text)));
                break;
            case long number:
                json.WriteNumberValue(number);
                break;
            case int number:
                json.WriteNumberValue(number);
                break;
            case byte[] bytes:
                json.WriteStringValue(Convert.ToHexString(bytes));
                break;
            default:
                throw new ArgumentException($"A bulk row's value of type {value.GetType()} has no JSON form here.", nameof(value));
        }
    }

    /// <summary>A multi-row INSERT of <paramref name="count"/> rows with its parameters named <c>@p0</c>, <c>@p1</c>, … in order.</summary>
    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string insert, int count, int columns)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        var sql = new StringBuilder(insert).Append(" VALUES ");
        for (var r = 0; r < count; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < columns; c++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = string.Create(CultureInfo.InvariantCulture, $"@p{r * columns + c}");
                command.Parameters.Add(parameter);
                sql.Append(c == 0 ? "" : ", ").Append(parameter.ParameterName);
            }
            sql.Append(')');
        }
        command.CommandText = sql.ToString();
        return command;
    }
}
