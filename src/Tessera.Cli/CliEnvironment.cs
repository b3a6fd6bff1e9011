namespace Tessera.Cli;

/// <summary>
/// What the command line reads and writes besides its arguments: the standard streams, environment
/// variables and the configuration directory. Tests pass their own to run it in-process.
/// </summary>
public sealed record CliEnvironment(TextReader In, TextWriter Out, TextWriter Error, Func<string, string?> Variable, string ConfigDirectory)
{
    /// <summary>The license key, overriding the one stored by <c>tessera login</c>.</summary>
    public const string LicenseKeyVariable = "TESSERA_LICENSE_KEY";

    /// <summary>The server URL, overriding the one stored by <c>tessera login</c>.</summary>
    public const string UrlVariable = "TESSERA_URL";

    public static CliEnvironment FromProcess() => new(Console.In, Console.Out, Console.Error, Environment.GetEnvironmentVariable,
        DefaultConfigDirectory(Environment.GetEnvironmentVariable)) { ErrorIsTerminal = !Console.IsErrorRedirected };

    /// <summary>True when standard error is a terminal: only then does a long command draw a progress bar there.</summary>
    public bool ErrorIsTerminal { get; init; }

    /// <summary>$TESSERA_CONFIG_DIR, else $XDG_CONFIG_HOME/tessera, else ~/.config/tessera.</summary>
    public static string DefaultConfigDirectory(Func<string, string?> variable)
    {
        if (variable("TESSERA_CONFIG_DIR") is { Length: > 0 } explicitDirectory)
        {
            return explicitDirectory;
        }
        var config = variable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(config, "tessera");
    }
}
