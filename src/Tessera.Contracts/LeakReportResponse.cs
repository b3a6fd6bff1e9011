namespace Tessera.Contracts;

/// <summary>The answer to <c>POST /v1/leaks</c>.</summary>
/// <param name="TokenHash">SHA-256 of the reported string, lower-case hex (how the report can be matched up without the secret).</param>
/// <param name="Label"><c>true_positive</c> when it is a stored query token (of any account), <c>false_positive</c> otherwise.</param>
/// <param name="Action">For a true positive, what the server did: <c>cancel</c> or <c>report</c> (<c>Tessera:Leaks:Action</c>); null otherwise.</param>
public sealed record LeakReportResponse(string TokenHash, string Label, string? Action);
