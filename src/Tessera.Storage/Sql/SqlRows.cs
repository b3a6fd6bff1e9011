using System.Data.Common;
using System.Globalization;
using System.Text;
using Dapper;

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
    /// SQLite's cap, far lower: Microsoft.Data.Sqlite binds each parameter by name with
    /// <c>sqlite3_bind_parameter_index</c>, a linear search of the statement's names, and Dapper checks each name
    /// against the parameters already added, so binding a statement costs the square of its parameters. At 2,000 a
    /// bulk import spent about two thirds of its time binding (dotnet-trace, issue 17, docs/perf.md); SQLite has no
    /// round trip to save, so small statements cost nothing.
    /// </summary>
    public const int SqliteMaxParameters = 200;

    /// <param name="connection">The write's connection.</param>
    /// <param name="transaction">The write's transaction.</param>
    /// <param name="insert">The statement up to VALUES, e.g. <c>INSERT INTO t (a, b)</c>.</param>
    /// <param name="rows">The rows, each with one value per column of <paramref name="insert"/>, in order (null only in text columns).</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public static async Task InsertAsync(DbConnection connection, DbTransaction transaction, string insert, IReadOnlyList<object?[]> rows,
        CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }
        var columns = rows[0].Length;
        var perStatement = Math.Max(1, (connection is Microsoft.Data.Sqlite.SqliteConnection ? SqliteMaxParameters : MaxParameters) / columns);
        for (var start = 0; start < rows.Count; start += perStatement)
        {
            var count = Math.Min(perStatement, rows.Count - start);
            var sql = new StringBuilder(insert).Append(" VALUES ");
            var parameters = new DynamicParameters();
            for (var r = 0; r < count; r++)
            {
                sql.Append(r == 0 ? "(" : ", (");
                for (var c = 0; c < columns; c++)
                {
                    var name = string.Create(CultureInfo.InvariantCulture, $"p{r * columns + c}");
                    sql.Append(c == 0 ? "@" : ", @").Append(name);
                    parameters.Add(name, rows[start + r][c]);
                }
                sql.Append(')');
            }
            await connection.ExecuteAsync(new CommandDefinition(sql.ToString(), parameters, transaction, cancellationToken: cancellationToken));
        }
    }
}
