using Tessera.Core.Secrets;

namespace Tessera.Cli;

/// <summary>
/// A well-formed Tessera secret found by <c>tessera scan</c>: where (path, 1-based line) and what kind. The secret
/// itself is kept only to report it (<c>--report</c>); everything printed uses <see cref="Hint"/>.
/// </summary>
public sealed class SecretFinding(string path, int line, string secret, SecretKind kind)
{
    public string Path { get; } = path;

    public int Line { get; } = line;

    public SecretKind Kind { get; } = kind;

    /// <summary>The prefix, an ellipsis and the last 4 characters: what lists show instead of the secret.</summary>
    public string Hint { get; } = SecretFormat.Hint(secret);

    internal string Secret { get; } = secret;

    /// <summary>What <c>tessera scan</c> prints: <c>path:line: hint (kind)</c>.</summary>
    public override string ToString() =>
        $"{Path}:{Line}: {Hint} ({(Kind == SecretKind.QueryToken ? "query token" : "license key")})";
}
