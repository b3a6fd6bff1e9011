namespace Tessera.Core.Leaks;

/// <summary>
/// The verdict on one reported string, in GitHub's words: <see cref="TruePositive"/> when it is a stored
/// query token (in any account), <see cref="FalsePositive"/> otherwise (a look-alike with a bad checksum,
/// a well-formed value nobody issued, a deleted token).
/// </summary>
public enum LeakLabel
{
    TruePositive,
    FalsePositive,
}
