namespace Tessera.Server.Http;

/// <summary>
/// One query parameter a list accepts: the name <see cref="QueryParameters"/> reads, and the type, allowed values and
/// description the OpenAPI document gives it (issue 19). One definition feeds both, so the document cannot drift from
/// what the handler parses.
/// </summary>
public sealed record QueryParameter(string Name, QueryParameterKind Kind, string Description, IReadOnlyList<string>? Choices = null)
{
    public static QueryParameter Text(string name, string description) => new(name, QueryParameterKind.Text, description);

    public static QueryParameter Integer(string name, string description) => new(name, QueryParameterKind.Integer, description);

    public static QueryParameter Instant(string name, string description) => new(name, QueryParameterKind.Instant, description);

    public static QueryParameter Choice(string name, string description, params string[] choices) =>
        new(name, QueryParameterKind.Text, description, choices);

    /// <summary>The cursor every paged list takes.</summary>
    public static QueryParameter Cursor { get; } =
        Text("cursor", "Opaque cursor from the previous page's nextCursor; omit for the first page.");

    public static QueryParameter Limit(int fallback, int max) =>
        Integer("limit", $"Page size, 1–{max}; default {fallback}.");
}
