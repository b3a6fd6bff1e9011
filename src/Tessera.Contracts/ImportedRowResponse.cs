namespace Tessera.Contracts;

/// <summary>A row an import created, as a replay (409 import_already_done) lists it: never the secret.</summary>
/// <param name="Row">The row in the file (1 = the first row after the header).</param>
/// <param name="Id">The token it created.</param>
public sealed record ImportedRowResponse(int Row, string Id);
