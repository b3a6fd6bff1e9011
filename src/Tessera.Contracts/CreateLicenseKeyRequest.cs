namespace Tessera.Contracts;

/// <summary>Body of <c>POST /v1/license-keys</c>.</summary>
/// <param name="Name">1–100 characters.</param>
public sealed record CreateLicenseKeyRequest(string Name);
