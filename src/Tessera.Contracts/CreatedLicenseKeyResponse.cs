using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace Tessera.Contracts;

/// <summary>A license key just created: the only response that carries its secret.</summary>
public sealed record CreatedLicenseKeyResponse : LicenseKeyResponse
{
    /// <summary>For deserialization.</summary>
    [JsonConstructor]
    public CreatedLicenseKeyResponse()
    {
    }

    /// <summary>The key's fields plus its secret.</summary>
    [SetsRequiredMembers]
    public CreatedLicenseKeyResponse(LicenseKeyResponse key, string secret)
        : base(key)
    {
        Key = secret;
    }

    /// <summary>The secret (<c>tsl_…</c>). Shown once; Tessera keeps only its hash.</summary>
    public required string Key { get; init; }
}
