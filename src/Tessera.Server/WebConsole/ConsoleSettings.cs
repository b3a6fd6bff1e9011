using Tessera.Core;

namespace Tessera.Server.WebConsole;

/// <summary>The configuration section "Tessera:Console".</summary>
public sealed class ConsoleSettings
{
    public const string Section = "Tessera:Console";

    /// <summary>
    /// Where the ASP.NET Data Protection keys (which seal the sign-in and antiforgery cookies) are kept.
    /// Null means a <c>keys</c> folder beside the SQLite database file (<c>./data/keys</c> by default).
    /// </summary>
    public string? KeysDirectory { get; set; }

    /// <summary>How long a console session lasts without activity.</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromHours(8);

    /// <summary>
    /// How long a console session lasts at most from sign-in, however active: a stolen cookie that is kept
    /// busy stops working after this, and each sign-in proves the key again.
    /// </summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Whether a license key opens the console (issue 22). Unset: yes, until the account has an owner who signs in with a
    /// password, then no (keys are for automation). true or false decide for every account.
    /// </summary>
    public bool? AllowLicenseKeySignIn { get; set; }

    public static ConsoleSettings From(IConfiguration configuration)
    {
        ConsoleSettings settings;
        try
        {
            settings = configuration.GetSection(Section).Get<ConsoleSettings>() ?? new ConsoleSettings();
        }
        catch (InvalidOperationException e)
        {
            throw new TesseraConfigurationException($"invalid configuration: {e.Message}");
        }
        if (settings.SessionIdleTimeout <= TimeSpan.Zero)
        {
            throw new TesseraConfigurationException("Tessera:Console:SessionIdleTimeout must be a positive TimeSpan, e.g. 08:00:00.");
        }
        if (settings.SessionLifetime <= TimeSpan.Zero)
        {
            throw new TesseraConfigurationException("Tessera:Console:SessionLifetime must be a positive TimeSpan, e.g. 1.00:00:00.");
        }
        return settings;
    }
}
