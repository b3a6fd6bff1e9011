namespace Tessera.Storage.Sql;

/// <summary>One schema step: applied once, in version order, inside a transaction with its bookkeeping.</summary>
public sealed record Migration(int Version, string Name, string Script);
