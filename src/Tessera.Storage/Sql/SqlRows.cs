using System.Data.Common;
using System.Globalization;
using System.Text;

namespace Tessera.Storage.Sql;

/// <summary>
/// Inserts many rows with multi-row <c>INSERT … VALUES (…), (…)</c> statements of at most <see cref="MaxParameters"/>
/// parameters each: a bulk import's batch of 1,000 tokens is a handful of statements, not thousands of round trips
/// (on PostgreSQL each round trip costs far more than the row).
/// </summary>
internal static class SqlRows
{
    /// <summary>Well under SQLite's 32,766 and PostgreSQL's 65,535 parameters per statement.</summary>
    public const int MaxParameters = 2_000;

    /// <summary>
    /// SQLite's cap, lower: Microsoft.Data.Sqlite binds each parameter by name with <c>sqlite3_bind_parameter_index</c>,
    /// a linear search of the statement's names, so binding a statement costs the square of its parameters, while each
    /// statement run costs its own step. 500 was the fastest import of 100, 200, 500, 1,000 and 2,000 (docs/perf.md).
    /// </summary>
    public const int SqliteMaxParameters = 500;

    /// <param name="connection">The write's connection.</param>
    /// <param name="transaction">The write's transaction.</param>
    /// <param name="insert">The statement up to VALUES, e.g. <c>INSERT INTO t (a, b)</c>.</param>
    /// <param name="rows">The rows, each with one value per column of <paramref name="insert"/>, in order (null only in text columns).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <remarks>
    /// Written on <see cref="DbCommand"/> rather than Dapper, for the bulk import's sake (issue 17, docs/perf.md): every
    /// full statement of a batch reuses one command, prepared once, whose values alone change; and the parameter names carry their
    /// <c>@</c>, so Microsoft.Data.Sqlite finds each with one lookup. Dapper strips the prefix, and the provider then
    /// tries the bare name and each of three prefixes: four searches of the statement's names for every value, which
    /// took half the server's CPU in an import.
    /// </remarks>
    public static async Task InsertAsync(DbConnection connection, DbTransaction transaction, string insert, IReadOnlyList<object?[]> rows,
        CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }
        var columns = rows[0].Length;
        var perStatement = Math.Max(1, (connection is Microsoft.Data.Sqlite.SqliteConnection ? SqliteMaxParameters : MaxParameters) / columns);
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
