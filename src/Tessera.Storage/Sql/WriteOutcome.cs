namespace Tessera.Storage.Sql;

/// <summary>Ends a write given to <see cref="SqlDatabase.WriteAsync{T}"/>: <c>return WriteOutcome.Commit(SaveResult.Saved);</c></summary>
public static class WriteOutcome
{
    /// <summary>Keep this write's changes.</summary>
    public static WriteOutcome<T> Commit<T>(T value) => new(value, true);

    /// <summary>
    /// Discard this write's changes (a version conflict, a missing row, a violation it expected), and only
    /// them: on SQLite the other writes sharing the transaction are kept.
    /// </summary>
    public static WriteOutcome<T> RollBack<T>(T value) => new(value, false);
}
