namespace Tessera.Storage.Sql;

/// <summary>
/// How a write given to <see cref="SqlDatabase.WriteAsync{T}"/> ends: its changes are kept (committed with the
/// transaction it runs in) or discarded, and in either case its caller gets <see cref="Value"/>.
/// Built by <see cref="WriteOutcome.Commit{T}"/> and <see cref="WriteOutcome.RollBack{T}"/>.
/// </summary>
public readonly record struct WriteOutcome<T>(T Value, bool Keep);
