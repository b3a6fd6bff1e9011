namespace Tessera.Client;

/// <summary>Where Tessera is and how to call it; bound by <c>AddTesseraClient</c> (see <see cref="TesseraClientServiceCollectionExtensions"/>).</summary>
public sealed class TesseraClientOptions
{
    /// <summary>The server's base URL, e.g. <c>http://localhost:5000</c>.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>The license key (<c>tsl_…</c>) sent as <c>Authorization: Bearer</c> on every management call.</summary>
    public string? LicenseKey { get; set; }

    /// <summary>The most one call may take, retries included (default 30 seconds).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times a call is tried when a retry is safe (default 3; 1 disables retries).</summary>
    public int MaxAttempts { get; set; } = 3;
}
