using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Tessera.Storage.Sql;

/// <summary>
/// The figures SQLite's <c>ANALYZE</c> (with <c>analysis_limit</c>) writes to <c>sqlite_stat1</c>, measured on a reading
/// connection, so that the write lock is held only while they are stored (ADR 0012, "SQLite's statistics at 10M").
/// <para>
/// ANALYZE holds the write lock while it reads, and the SQLite this product ships (3.53) counts every entry of every
/// index it analyzes whatever the limit: 20 minutes on a database of 10M tokens (28 GB, from a cold page cache), during
/// which every token write failed. Here each index's entries are counted by a reading connection (one count per table,
/// one per partial index's condition), and its first entries are read in index order and tallied as ANALYZE tallies them (analyze.c's
/// <c>stat_push</c> and <c>stat_get</c>, skip-ahead included), so the rows written are the ones ANALYZE would write.
/// A test holds every row to that, table by table, against ANALYZE itself.
/// </para>
/// <para>
/// Tables this reading does not follow (an index term with a collation or a descending order, or an order SQLite would
/// sort for) are listed for ANALYZE to measure itself: none in this schema.
/// </para>
/// </summary>
internal static partial class SqliteStatistics
{
    /// <summary>One row of <c>sqlite_stat1</c>: an index's figures, or a table's row count (<see cref="Index"/> null).</summary>
    internal sealed record Row(string Table, string? Index, string Stat);

    /// <summary>The rows measured, and the tables left for ANALYZE.</summary>
    internal sealed record Measurement(IReadOnlyList<Row> Rows, IReadOnlyList<string> LeftToAnalyze);

    /// <summary>
    /// Measures every ordinary table of the main database, statement by statement: no transaction spans them, so none
    /// keeps the write-ahead log from being reset for long. <paramref name="entriesRead"/> is the table's <c>analysis_limit</c>.
    /// </summary>
    public static async Task<Measurement> MeasureAsync(SqliteConnection connection, Func<string, int> entriesRead,
        CancellationToken cancellationToken)
    {
        var rows = new List<Row>();
        var leftToAnalyze = new List<string>();
        var tables = await connection.QueryAsync<(string Name, long WithoutRowid)>(new CommandDefinition(
            """
            SELECT name, wr FROM pragma_table_list() WHERE schema = 'main' AND type IN ('table', 'shadow')
            AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name
            """, cancellationToken: cancellationToken));
        foreach (var (table, withoutRowid) in tables)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var measured = await MeasureTableAsync(connection, table, withoutRowid != 0, entriesRead(table), cancellationToken);
            if (measured is null)
            {
                leftToAnalyze.Add(table);
            }
            else
            {
                rows.AddRange(measured);
            }
        }
        return new Measurement(rows, leftToAnalyze);
    }

    /// <summary>Stores the measurement in place of every row of <c>sqlite_stat1</c>, as a whole-database ANALYZE would.</summary>
    public static async Task StoreAsync(DbConnection connection, DbTransaction transaction, Measurement measurement,
        Func<string, int> entriesRead, CancellationToken cancellationToken)
    {
        // ANALYZE of the schema table analyzes nothing: it creates sqlite_stat1 if it is missing, and at the end loads the
        // figures into this connection's planner.
        await connection.ExecuteAsync(new CommandDefinition("ANALYZE sqlite_schema; DELETE FROM sqlite_stat1;",
            transaction: transaction, cancellationToken: cancellationToken));
        foreach (var row in measurement.Rows)
        {
            await connection.ExecuteAsync(new CommandDefinition("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (@Table, @Index, @Stat)",
                row, transaction, cancellationToken: cancellationToken));
        }
        foreach (var table in measurement.LeftToAnalyze)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                $"PRAGMA analysis_limit = {entriesRead(table)}; ANALYZE {Quote(table)}; PRAGMA analysis_limit = 0;",
                transaction: transaction, commandTimeout: 0, cancellationToken: cancellationToken));
        }
        await connection.ExecuteAsync(new CommandDefinition("ANALYZE sqlite_schema;", transaction: transaction,
            cancellationToken: cancellationToken));
    }

    /// <summary>The table's rows, or null when it must be left to ANALYZE.</summary>
    private static async Task<List<Row>?> MeasureTableAsync(SqliteConnection connection, string table, bool withoutRowid,
        int limit, CancellationToken cancellationToken)
    {
        var notNull = (await connection.QueryAsync<(string Name, long NotNull)>(new CommandDefinition(
                "SELECT name, \"notnull\" FROM pragma_table_info(@table)", new { table }, cancellationToken: cancellationToken)))
            .ToDictionary(c => c.Name, c => c.NotNull != 0, StringComparer.OrdinalIgnoreCase);
        var indexes = (await connection.QueryAsync<(string Name, long Unique, string Origin, long Partial, string? Sql)>(new CommandDefinition(
            """
            SELECT l.name, l."unique", l.origin, l.partial, s.sql FROM pragma_index_list(@table) AS l
            LEFT JOIN sqlite_schema AS s ON s.type = 'index' AND s.name = l.name
            """, new { table }, cancellationToken: cancellationToken))).ToList();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var rows = new List<Row>();
        foreach (var index in indexes)
        {
            var shape = index.Sql is null
                ? new IndexShape(
                    [.. (await connection.QueryAsync<string>(new CommandDefinition("SELECT name FROM pragma_index_info(@index) ORDER BY seqno",
                        new { index = index.Name }, cancellationToken: cancellationToken))).Select(Quote)],
                    Where: null)
                : IndexShape.Parse(index.Sql);
            if (shape is null)
            {
                return null;
            }
            var terms = shape.Terms.ToArray();
            // A WITHOUT ROWID table is its primary key's index: read in its order, and named by the table in the figures.
            var isTable = withoutRowid && index.Origin == "pk";
            var name = isTable ? table : index.Name;
            var order = $"SELECT {string.Join(", ", terms)} FROM {Quote(table)}" + (isTable ? "" : $" INDEXED BY {Quote(index.Name)}");
            if (await SortsAsync(connection, order + Filter(shape.Where, null) + OrderBy(terms), cancellationToken))
            {
                return null;
            }
            var where = shape.Where ?? "";
            if (!counts.TryGetValue(where, out var entries))
            {
                // A partial index is counted through itself: its condition alone might be read from the table.
                var through = shape.Where is null ? "" : $" INDEXED BY {Quote(index.Name)}";
                entries = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                    $"SELECT count(*) FROM {Quote(table)}{through}{Filter(shape.Where, null)}", commandTimeout: 0,
                    cancellationToken: cancellationToken));
                counts[where] = entries;
            }
            if (entries == 0)
            {
                // As the shipped SQLite does: an empty partial index is written as such, an empty full one not at all.
                if (shape.Where is not null)
                {
                    rows.Add(new Row(table, name, string.Join(' ', Enumerable.Repeat("0", shape.Terms.Count + 1))));
                }
                continue;
            }
            // As analyze.c: a unique index on NOT NULL columns (and a WITHOUT ROWID table's key) needs no test of its
            // last column. Columns past the key (the rowid, a WITHOUT ROWID table's key) change no figure.
            var unique = isTable || (index.Unique != 0 && shape.Terms.All(t => notNull.TryGetValue(Unquote(t), out var n) && n));
            var tally = new Tally(shape.Terms.Count, unique ? shape.Terms.Count - 1 : shape.Terms.Count, entries, limit);
            await ReadFirstEntriesAsync(connection, order, shape.Where, terms, tally, cancellationToken);
            rows.Add(new Row(table, name, tally.Stat()));
        }
        // As analyze.c: a table is counted on its own when no index covers all of its rows.
        if (indexes.All(i => i.Partial != 0))
        {
            var count = await connection.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM {Quote(table)}",
                commandTimeout: 0, cancellationToken: cancellationToken));
            if (count > 0)
            {
                rows.Add(new Row(table, null, count.ToString(CultureInfo.InvariantCulture)));
            }
        }
        return rows;
    }

    /// <summary>
    /// Reads the index's entries in its order into the tally until it says stop; where it asks to skip ahead (its first
    /// column had one value in all it read), continues past that value, skipping one entry more, as ANALYZE's
    /// <c>SeekGT</c> followed by <c>Next</c> does.
    /// </summary>
    private static async Task ReadFirstEntriesAsync(SqliteConnection connection, string order, string? where, string[] terms,
        Tally tally, CancellationToken cancellationToken)
    {
        object? after = null;
        while (true)
        {
            await using var command = connection.CreateCommand();
            if (after is null)
            {
                command.CommandText = order + Filter(where, null) + OrderBy(terms);
            }
            else
            {
                // NULL sorts first in an index: past a NULL lie the entries that are not NULL.
                var past = after is DBNull ? $"({terms[0]}) IS NOT NULL" : $"({terms[0]}) > @after";
                command.CommandText = order + Filter(where, past) + OrderBy(terms) + " LIMIT -1 OFFSET 1";
                command.Parameters.AddWithValue("@after", after);
            }
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var values = new object[terms.Length];
            bool? stop = null;
            while (stop is null && await reader.ReadAsync(cancellationToken))
            {
                reader.GetValues(values);
                stop = tally.Push(values);
            }
            if (stop is not false)
            {
                return;
            }
            after = values[0];
        }
    }

    /// <summary>True when SQLite would sort the rows rather than read them in the index's order.</summary>
    private static async Task<bool> SortsAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        var plan = await connection.QueryAsync<(long Id, long Parent, long NotUsed, string Detail)>(new CommandDefinition(
            "EXPLAIN QUERY PLAN " + sql, cancellationToken: cancellationToken));
        return plan.Any(p => p.Detail.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    private static string Filter(string? where, string? more) => (where, more) switch
    {
        (null, null) => "",
        (null, _) => $" WHERE {more}",
        (_, null) => $" WHERE ({where})",
        _ => $" WHERE ({where}) AND {more}",
    };

    private static string OrderBy(string[] terms) => " ORDER BY " + string.Join(", ", terms);

    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Unquote(string term) =>
        term.Length > 1 && term[0] is '"' or '`' or '[' ? term[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal) : term;

    /// <summary>An index's terms (columns or expressions, as written) and its partial condition.</summary>
    internal sealed record IndexShape(IReadOnlyList<string> Terms, string? Where)
    {
        /// <summary>The shape from the index's CREATE statement, or null when its terms are not read here (collation, order).</summary>
        public static IndexShape? Parse(string sql)
        {
            var on = OnTable().Match(sql);
            if (!on.Success)
            {
                return null;
            }
            var open = sql.IndexOf('(', on.Index + on.Length - 1);
            var terms = new List<string>();
            var (depth, start, close) = (0, open + 1, -1);
            for (var i = open; i < sql.Length && close < 0; i++)
            {
                switch (sql[i])
                {
                    case '\'' or '"' or '`':
                        i = sql.IndexOf(sql[i], i + 1);
                        if (i < 0)
                        {
                            return null;
                        }
                        break;
                    case '[':
                        i = sql.IndexOf(']', i + 1);
                        if (i < 0)
                        {
                            return null;
                        }
                        break;
                    case '(':
                        depth++;
                        break;
                    case ')' when --depth == 0:
                        terms.Add(sql[start..i].Trim());
                        close = i;
                        break;
                    case ',' when depth == 1:
                        terms.Add(sql[start..i].Trim());
                        start = i + 1;
                        break;
                }
            }
            if (close < 0 || terms.Any(t => t.Length == 0 || Unsupported().IsMatch(t)))
            {
                return null;
            }
            var rest = sql[(close + 1)..].Trim();
            string? where = null;
            if (rest.Length > 0)
            {
                var match = WhereClause().Match(rest);
                if (!match.Success)
                {
                    return null;
                }
                where = match.Groups[1].Value.Trim();
            }
            return new IndexShape([.. terms.Select(t => Ascending().Replace(t, ""))], where);
        }
    }

    [GeneratedRegex(@"\bON\s+(""[^""]+""|`[^`]+`|\[[^\]]+\]|[A-Za-z_][A-Za-z0-9_$]*)\s*\(", RegexOptions.IgnoreCase)]
    private static partial Regex OnTable();

    [GeneratedRegex(@"\bCOLLATE\b|\bDESC\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex Unsupported();

    [GeneratedRegex(@"\s+ASC\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex Ascending();

    [GeneratedRegex(@"^WHERE\b(.*)$", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex WhereClause();

    /// <summary>
    /// ANALYZE's tally of one index (analyze.c's <c>StatAccum</c>): for each leading run of columns, how many distinct
    /// values were read, and the stop-or-skip rule of <c>analysis_limit</c>.
    /// </summary>
    internal sealed class Tally(int keyColumns, int testedColumns, long entries, int limit)
    {
        // One more column than the key: the rowid, which differs on every entry.
        private readonly long[] _equal = new long[keyColumns + 1];
        private readonly long[] _distinctBefore = new long[keyColumns + 1];
        private object?[]? _previous;
        private long _read;
        private int _skips;

        /// <summary>Adds one entry; null to go on, true to stop, false to skip past the first column's value.</summary>
        public bool? Push(object[] values)
        {
            if (_previous is null)
            {
                Array.Fill(_equal, 1);
                _previous = new object?[values.Length];
            }
            else
            {
                var changed = testedColumns;
                for (var i = 0; i < testedColumns; i++)
                {
                    if (!Same(values[i], _previous[i]))
                    {
                        changed = i;
                        break;
                    }
                }
                for (var i = 0; i < changed; i++)
                {
                    _equal[i]++;
                }
                for (var i = changed; i < _equal.Length; i++)
                {
                    _distinctBefore[i]++;
                    _equal[i] = 1;
                }
            }
            Array.Copy(values, _previous, values.Length);
            _read++;
            if (limit > 0 && _read > (long)limit * (_skips + 1))
            {
                _skips++;
                return _distinctBefore[0] > 0;
            }
            return null;
        }

        /// <summary>
        /// The <c>stat</c> column, as the shipped SQLite's <c>stat_get</c> writes it: later sources report uneven runs
        /// (<c>var=</c>) and give a first column seen with one value the whole count, 3.53 does neither (an account of a
        /// million tokens is figured from the entries read). The test against ANALYZE holds this to what 3.53 writes.
        /// </summary>
        public string Stat()
        {
            var stat = new StringBuilder();
            stat.Append(CultureInfo.InvariantCulture, $"{(_skips > 0 ? entries : _read)}");
            for (var i = 0; i < keyColumns; i++)
            {
                var distinct = _distinctBefore[i] + 1;
                var perValue = (_read + distinct - 1) / distinct;
                if (perValue == 2 && _read * 10 <= distinct * 11)
                {
                    perValue = 1;
                }
                stat.Append(CultureInfo.InvariantCulture, $" {perValue}");
            }
            return stat.ToString();
        }

        private static bool Same(object? a, object? b) => (a, b) switch
        {
            (DBNull, DBNull) => true,
            (byte[] x, byte[] y) => x.AsSpan().SequenceEqual(y),
            _ => Equals(a, b),
        };
    }
}
