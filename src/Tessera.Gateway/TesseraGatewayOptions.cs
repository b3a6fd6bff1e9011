namespace Tessera.Gateway;

/// <summary>
/// Where the gateway's replica comes from and how long it is trusted. Bound from the configuration section
/// <c>Tessera</c> (environment <c>Tessera__Url</c>, <c>Tessera__GatewayKey</c>, <c>Tessera__TrustWindow</c>, …), then
/// from the delegate given to <see cref="TesseraGatewayServiceCollectionExtensions.AddTesseraGateway"/>.
/// </summary>
public sealed class TesseraGatewayOptions
{
    /// <summary>The configuration section the options are read from.</summary>
    public const string Section = "Tessera";

    /// <summary>Tessera's base URL, for example <c>https://tessera.example.com</c>.</summary>
    public Uri? Url { get; set; }

    /// <summary>A license key (<c>tsl_…</c>) holding the <c>gateway</c> scope; bind it to the workloads this gateway guards.</summary>
    public string? GatewayKey { get; set; }

    /// <summary>
    /// How long the replica is trusted after it last showed it had every change (default 1 s, as Tessera's own
    /// servers). Past it every token is refused with 503 <c>service_unavailable</c> until the feed answers again.
    /// </summary>
    public TimeSpan TrustWindow { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long one long poll of the changes may wait on Tessera (whole seconds, 1–30; default 1). Tessera answers at
    /// once when a change arrives; the wait bounds how long a Tessera that hangs without closing the connection goes
    /// unnoticed (the wait plus <see cref="TrustWindow"/>), at the cost of one empty answer per wait while idle.
    /// </summary>
    public TimeSpan PollWait { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the uses verified here are reported to Tessera (default 1 s).</summary>
    public TimeSpan UsageInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest pause between attempts while Tessera does not answer (default 1 s; the first retry is after 100 ms).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(1);
}
