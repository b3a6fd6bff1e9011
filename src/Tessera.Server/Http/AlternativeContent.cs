namespace Tessera.Server.Http;

/// <summary>
/// A second representation of an answer, for the API description (issue 17's <c>Accept: text/csv</c> on the token list):
/// ApiExplorer keeps one response type per status, so the JSON page stays the declared type and this adds the other
/// content type beside it, as text, with an example.
/// </summary>
public sealed record AlternativeContent(int Status, string ContentType, string Example);
