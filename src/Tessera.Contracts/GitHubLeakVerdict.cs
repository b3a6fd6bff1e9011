using System.Text.Json.Serialization;

namespace Tessera.Contracts;

/// <summary>One item of the answer to GitHub's secret scanning partner call (<c>POST /v1/leaks/github</c>), in GitHub's snake_case.</summary>
/// <param name="TokenHash">SHA-256 of the reported token, lower-case hex.</param>
/// <param name="TokenType">The <c>type</c> GitHub sent with it.</param>
/// <param name="Label"><c>true_positive</c> or <c>false_positive</c>.</param>
public sealed record GitHubLeakVerdict(
    [property: JsonPropertyName("token_hash")] string TokenHash,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("label")] string Label);
