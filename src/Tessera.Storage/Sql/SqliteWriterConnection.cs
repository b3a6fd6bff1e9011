using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;

namespace Tessera.Storage.Sql;

/// <summary>
/// The SQLite writer's one connection (<see cref="SqliteGroupCommit"/>), which keeps its statements compiled (ADR 0009's
/// second amendment). Microsoft.Data.Sqlite compiles a command's SQL on its first run and keeps it only as long as that
/// command lives (dotnet/efcore#14044), and Dapper makes a new command per call, so every write compiled each of its
/// statements again: 14 % of the server's CPU while it created tokens (docs/perf.md). Here a command is a front whose SQL
/// runs on a <see cref="SqliteCommand"/> kept per distinct text, the <see cref="Capacity"/> most recently used.
/// </summary>
/// <remarks>
/// The writer runs one write at a time, so the cache needs no lock. A command taken is out of the cache until its front is
/// disposed: two fronts with the same text at once get two commands. One whose run threw, or whose reader is still open
/// when its front is disposed, is disposed rather than kept. Parameter names without a prefix get their <c>@</c> (every
/// statement of the stores names its parameters so), which SQLite finds with one lookup instead of four.
/// </remarks>
internal sealed class SqliteWriterConnection(string connectionString) : SqliteConnection(connectionString)
{
    /// <summary>Distinct statements kept compiled: the stores' writes use a few dozen.</summary>
    public const int Capacity = 128;

    private readonly Dictionary<string, LinkedListNode<SqliteCommand>> _kept = new(StringComparer.Ordinal);
    private readonly LinkedList<SqliteCommand> _byUse = new(); // most recently returned first

    /// <summary>Commands created because no compiled one of their text was free (for tests).</summary>
    public int Compilations { get; private set; }

    /// <summary>Statements kept compiled now (for tests).</summary>
    public int KeptCount => _kept.Count;

    /// <summary>1 when a compiled command of <paramref name="text"/> is kept now, else 0 (for tests).</summary>
    public int Kept(string text) => _kept.ContainsKey(text) ? 1 : 0;

    protected override DbCommand CreateDbCommand() => new StatementCommand(this);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var command in _byUse)
            {
                command.Dispose();
            }
            _byUse.Clear();
            _kept.Clear();
        }
        base.Dispose(disposing);
    }

    private SqliteCommand Take(string text)
    {
        if (_kept.Remove(text, out var node))
        {
            _byUse.Remove(node);
            return node.Value;
        }
        Compilations++;
        var command = CreateCommand();
        command.CommandText = text;
        return command;
    }

    private void Return(SqliteCommand command, bool reusable)
    {
        if (!reusable || State != ConnectionState.Open || _kept.ContainsKey(command.CommandText))
        {
            command.Dispose();
            return;
        }
        _kept.Add(command.CommandText, _byUse.AddFirst(command));
        if (_kept.Count > Capacity)
        {
            var oldest = _byUse.Last!;
            _byUse.RemoveLast();
            _kept.Remove(oldest.Value.CommandText);
            oldest.Value.Dispose();
        }
    }

    /// <summary>What Dapper and the stores are handed: its SQL runs on a compiled command of the connection's.</summary>
    private sealed class StatementCommand(SqliteWriterConnection connection) : DbCommand
    {
        private readonly StatementParameters _parameters = new();
        private SqliteCommand? _compiled;
        private SqliteDataReader? _reader;
        private bool _faulted;
        private string _text = "";

        [AllowNull]
        public override string CommandText
        {
            get => _text;
            set
            {
                ReturnCompiled();
                _text = value ?? "";
            }
        }

        public override int CommandTimeout { get; set; } = connection.DefaultTimeout;

        public override CommandType CommandType
        {
            get => CommandType.Text;
            set
            {
                if (value != CommandType.Text)
                {
                    throw new NotSupportedException("SQLite runs SQL text only.");
                }
            }
        }

        public override bool DesignTimeVisible { get; set; }

        public override UpdateRowSource UpdatedRowSource { get; set; }

        protected override DbConnection? DbConnection
        {
            get => connection;
            set
            {
                if (value != connection)
                {
                    throw new NotSupportedException("A command of the writer's connection stays on it.");
                }
            }
        }

        protected override DbParameterCollection DbParameterCollection => _parameters;

        protected override DbTransaction? DbTransaction { get; set; }

        public override void Cancel()
        {
        }

        /// <summary>Nothing to do ahead: the statements are compiled on the first run and kept.</summary>
        public override void Prepare()
        {
        }

        protected override DbParameter CreateDbParameter() => new SqliteParameter();

        public override int ExecuteNonQuery() => Run(command => command.ExecuteNonQuery());

        public override object? ExecuteScalar() => Run(command => command.ExecuteScalar());

        protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) =>
            _reader = Run(command => command.ExecuteReader(behavior));

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                ReturnCompiled();
            }
            base.Dispose(disposing);
        }

        private T Run<T>(Func<SqliteCommand, T> run)
        {
            var compiled = _compiled ??= connection.Take(_text);
            compiled.Transaction = (SqliteTransaction?)Transaction;
            compiled.CommandTimeout = CommandTimeout;
            var parameters = compiled.Parameters;
            parameters.Clear();
            foreach (SqliteParameter parameter in _parameters)
            {
                if (parameter.ParameterName is [not ('@' or '$' or ':'), ..] name)
                {
                    parameter.ParameterName = "@" + name;
                }
                parameters.Add(parameter);
            }
            try
            {
                return run(compiled);
            }
            catch
            {
                _faulted = true;
                throw;
            }
        }

        private void ReturnCompiled()
        {
            if (_compiled is null)
            {
                return;
            }
            connection.Return(_compiled, reusable: !_faulted && _reader is not { IsClosed: false });
            (_compiled, _reader, _faulted) = (null, null, false);
        }
    }

    /// <summary>The front's own parameters, copied onto the compiled command at each run.</summary>
    private sealed class StatementParameters : SqliteParameterCollection;
}
