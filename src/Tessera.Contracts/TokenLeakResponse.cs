namespace Tessera.Contracts;

/// <summary>The latest leak report about a token: when, where and what kind of place. Never the secret.</summary>
/// <param name="ReportedAt">When the report was handled.</param>
/// <param name="Url">Where the secret was seen (an http or https URL), or null when the reporter gave none.</param>
/// <param name="Source">What kind of place, in the reporter's words (GitHub: <c>content</c>, <c>commit</c>, …), or null.</param>
public sealed record TokenLeakResponse(DateTimeOffset ReportedAt, string? Url, string? Source);
