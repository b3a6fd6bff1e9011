namespace Tessera.Cli;

/// <summary>
/// What the command line reads and writes besides its arguments: the standard streams, environment
/// variables, the configuration directory, and which streams are a terminal. Tests pass their own to
/// run it in-process (and say "terminal" to see what a person at a terminal sees).
/// </summary>
public sealed record CliEnvironment(TextReader In, TextWriter Out, TextWriter Error, Func<string, string?> Variable, string ConfigDirectory)
{
    /// <summary>The license key, overriding the one stored by <c>tessera login</c>.</summary>
    public const string LicenseKeyVariable = "TESSERA_LICENSE_KEY";

    /// <summary>The server URL, overriding the one stored by <c>tessera login</c>.</summary>
    public const string UrlVariable = "TESSERA_URL";

    public static CliEnvironment FromProcess() => new(Console.In, Console.Out, Console.Error, Environment.GetEnvironmentVariable,
        DefaultConfigDirectory(Environment.GetEnvironmentVariable))
    {
        ErrorIsTerminal = !Console.IsErrorRedirected,
        OutIsTerminal = !Console.IsOutputRedirected,
        InIsTerminal = !Console.IsInputRedirected,
        TerminalWidth = Console.IsOutputRedirected ? null : WindowWidth(),
        ReadSecret = ReadWithoutEcho,
    };

    /// <summary>True when standard error is a terminal: only then does a long command draw a progress bar there.</summary>
    public bool ErrorIsTerminal { get; init; }

    /// <summary>True when standard output is a terminal: tables for people; otherwise tab-separated lines for scripts.</summary>
    public bool OutIsTerminal { get; init; }

    /// <summary>True when standard input is a terminal: a person can answer a prompt (a confirmation, a key typed without echo).</summary>
    public bool InIsTerminal { get; init; }

    /// <summary>The terminal's width in columns, which tables fit; null when unknown (then <c>$COLUMNS</c>, else no limit).</summary>
    public int? TerminalWidth { get; init; }

    /// <summary>Reads one line from the terminal without echoing it (a license key typed at <c>tessera login</c>).</summary>
    public Func<CancellationToken, string?> ReadSecret { get; init; } = _ => null;

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

    private static int? WindowWidth()
    {
        try
        {
            return Console.WindowWidth is > 0 and var width ? width : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Key presses read with interception, so what is typed never appears; Backspace edits, Enter ends, Ctrl+C cancels.</summary>
    private static string? ReadWithoutEcho(CancellationToken cancellationToken)
    {
        var typed = new System.Text.StringBuilder();
        while (!cancellationToken.IsCancellationRequested)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    Console.Error.WriteLine();
                    return typed.ToString();
                case ConsoleKey.Backspace when typed.Length > 0:
                    typed.Length--;
                    break;
                case ConsoleKey.Backspace:
                    break;
                default:
                    if (!char.IsControl(key.KeyChar))
                    {
                        typed.Append(key.KeyChar);
                    }
                    break;
            }
        }
        return null;
    }
}
