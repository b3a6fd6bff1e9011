namespace Tessera.Contracts;

/// <summary>Body of <c>POST /v1/leaks</c>: a string a provider's own scanner found in public.</summary>
/// <param name="Token">The string found (a <c>tsq_</c> secret or a look-alike). Never stored or echoed.</param>
/// <param name="Url">Where it was found: an absolute http or https URL, at most 2048 characters.</param>
/// <param name="Source">What kind of place, 1–100 characters (e.g. <c>content</c>, <c>commit</c>).</param>
public sealed record LeakReportRequest(string Token, string? Url = null, string? Source = null);
