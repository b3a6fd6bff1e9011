namespace Tessera.Client;

/// <summary>
/// Where Tessera is and which query token an application presents; bound by
/// <c>AddTesseraQueryClient</c> (see <see cref="TesseraClientServiceCollectionExtensions"/>).
/// For an application that acts as one end user (one token); a service acting for many builds a
/// <see cref="TesseraQueryClient"/> per token instead.
/// </summary>
public sealed class TesseraQueryClientOptions
{
    /// <summary>The server's base URL, e.g. <c>http://localhost:5000</c>.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>The query token (<c>tsq_…</c>) sent as <c>Authorization: Bearer</c>.</summary>
    public string? QueryToken { get; set; }

    /// <summary>The most one call may take, retries included (default 30 seconds).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times a call is tried when a retry is safe (default 3; 1 disables retries).</summary>
    public int MaxAttempts { get; set; } = 3;
}
