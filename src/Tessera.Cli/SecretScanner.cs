using System.Text;
using System.Text.RegularExpressions;
using Tessera.Core.Secrets;

namespace Tessera.Cli;

/// <summary>
/// Finds Tessera secrets in files, directory trees and standard input, offline. A candidate is anything shaped
/// like <c>ts[lq]_</c> + 49 base62 characters standing alone; it counts only when Core's
/// <see cref="SecretFormat.IsWellFormed"/> accepts it (the CRC-32 matches), so a random string of the right
/// shape is not reported (one in four billion is). Binary files (a NUL byte in the first 8,000 bytes, git's
/// rule) are skipped, and so are <c>.git</c> directories and symbolic links to directories (no loops).
/// </summary>
public static partial class SecretScanner
{
    /// <summary>The path standing for standard input.</summary>
    public const string StandardInput = "-";

    private const int BinaryProbeBytes = 8000;

    public static async Task<ScanResult> ScanAsync(IEnumerable<string> paths, TextReader standardInput, CancellationToken cancellationToken)
    {
        var result = new ScanResult();
        foreach (var path in paths)
        {
            if (path == StandardInput)
            {
                await ScanReaderAsync(standardInput, "<stdin>", result, cancellationToken);
            }
            else if (Directory.Exists(path))
            {
                foreach (var file in FilesUnder(path, result))
                {
                    await ScanFileAsync(file, result, cancellationToken);
                }
            }
            else if (File.Exists(path))
            {
                await ScanFileAsync(path, result, cancellationToken);
            }
            else
            {
                result.Errors.Add($"{path}: no such file or directory");
            }
        }
        return result;
    }

    /// <summary>The well-formed secrets in one line of text.</summary>
    public static IEnumerable<(string Secret, SecretKind Kind)> FindIn(string line)
    {
        foreach (Match match in Candidate().Matches(line))
        {
            var kind = match.Value[2] == 'l' ? SecretKind.LicenseKey : SecretKind.QueryToken;
            if (SecretFormat.IsWellFormed(match.Value, kind))
            {
                yield return (match.Value, kind);
            }
        }
    }

    private static IEnumerable<string> FilesUnder(string root, ScanResult result)
    {
        var pending = new Stack<string>([root]);
        while (pending.TryPop(out var directory))
        {
            IEnumerable<string> entries;
            try
            {
                entries = [.. Directory.EnumerateFileSystemEntries(directory).Order(StringComparer.Ordinal)];
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                result.Errors.Add($"{directory}: {e.Message}");
                continue;
            }
            var subdirectories = new List<string>();
            foreach (var entry in entries)
            {
                if (Directory.Exists(entry))
                {
                    var info = new DirectoryInfo(entry);
                    if (info.LinkTarget is null && info.Name != ".git")
                    {
                        subdirectories.Add(entry);
                    }
                    continue;
                }
                yield return entry;
            }
            // Pushed in reverse so the tree is walked in name order (stable output).
            for (var i = subdirectories.Count - 1; i >= 0; i--)
            {
                pending.Push(subdirectories[i]);
            }
        }
    }

    private static async Task ScanFileAsync(string path, ScanResult result, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096, useAsync: true);
            var probe = new byte[BinaryProbeBytes];
            var read = await stream.ReadAtLeastAsync(probe, BinaryProbeBytes, throwOnEndOfStream: false, cancellationToken);
            if (probe.AsSpan(0, read).Contains((byte)0))
            {
                result.SkippedBinary.Add(path);
                return;
            }
            stream.Position = 0;
            using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            await ScanReaderAsync(reader, path, result, cancellationToken);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            result.Errors.Add($"{path}: {e.Message}");
        }
    }

    private static async Task ScanReaderAsync(TextReader reader, string name, ScanResult result, CancellationToken cancellationToken)
    {
        var number = 0;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            number++;
            foreach (var (secret, kind) in FindIn(line))
            {
                result.Findings.Add(new SecretFinding(name, number, secret, kind));
            }
        }
    }

    /// <summary>The shape alone, not preceded or followed by another base62 character (so a longer run is not cut into a match).</summary>
    [GeneratedRegex("(?<![0-9A-Za-z])ts[lq]_[0-9A-Za-z]{49}(?![0-9A-Za-z])", RegexOptions.CultureInvariant)]
    private static partial Regex Candidate();
}
