namespace Tessera.Server.Tests.Fuzz;

/// <summary>
/// What the generators aim at: the fuzzed account's real objects and secrets, and another account's
/// objects (which must answer 404 and never change).
/// </summary>
public sealed record FuzzTargets(
    string LicenseKey,
    string LicenseKeyId,
    IReadOnlyList<string> TokenIds,
    IReadOnlyList<string> TokenSecrets,
    IReadOnlyList<string> WorkloadIds,
    string ForeignLicenseKeyId,
    IReadOnlyList<string> ForeignTokenIds,
    IReadOnlyList<string> ForeignWorkloadIds,
    string Cursor);
