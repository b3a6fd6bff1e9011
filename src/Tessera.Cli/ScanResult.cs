namespace Tessera.Cli;

/// <summary>What <see cref="SecretScanner"/> found, what it skipped as binary, and what it could not read.</summary>
public sealed class ScanResult
{
    public List<SecretFinding> Findings { get; } = [];

    public List<string> SkippedBinary { get; } = [];

    public List<string> Errors { get; } = [];
}
