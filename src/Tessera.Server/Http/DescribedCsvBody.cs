namespace Tessera.Server.Http;

/// <summary>
/// A <c>text/csv</c> request body a handler reads itself (the bulk import), with the header it needs, for the API
/// description only: its columns in <paramref name="Description"/>, a small file as <paramref name="Example"/>, and a
/// required request header (<paramref name="Header"/>, described by <paramref name="HeaderDescription"/>).
/// </summary>
public sealed record DescribedCsvBody(string Description, string Example, string Header, string HeaderDescription);
