using System.CommandLine;

namespace Tessera.Server.Commands;

/// <summary>
/// The server's whole command line, owned by System.CommandLine: no command runs the server, the admin
/// commands (<see cref="AdminCommands"/>) run and exit, and anything else (a typo of a command, an option
/// nobody defined) is refused with one line and exit code 2 instead of starting a server that would create
/// the first account. Configuration arguments (<c>--Tessera:Tokens:Lifetime=…</c>, <c>--urls …</c>) are
/// taken out first and handed to the host's configuration, as they always were.
/// </summary>
public static class ServerCommandLine
{
    /// <summary>The exit code of a command line that names no known command or option.</summary>
    public const int UsageError = 2;

    // The host settings ASP.NET Core reads from the command line (HostDefaults, WebHostDefaults), also what
    // WebApplicationFactory passes to the entry point; any key with a ':' is a configuration path.
    private static readonly HashSet<string> HostKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "urls", "environment", "contentRoot", "applicationName", "webroot", "http_ports", "https_ports", "https_port",
        "hostingStartupAssemblies", "hostingStartupExcludeAssemblies", "preventHostingStartup", "detailedErrors",
        "shutdownTimeoutSeconds", "suppressStatusMessages", "captureStartupErrors", "startupAssembly", "allowedHosts",
    };

    /// <summary>What the command line asks for: run the server (with <see cref="Configuration"/>), or exit with <see cref="ExitCode"/>.</summary>
    public sealed record Outcome(int? ExitCode, string[] Configuration);

    public static async Task<Outcome> RunAsync(string[] args)
    {
        var (configuration, words) = Split(args);
        var runServer = false;
        var root = AdminCommands.Build(configuration);
        root.SetAction(_ => runServer = true);
        var parse = root.Parse(words);
        if (parse.Errors.Count > 0)
        {
            await Console.Error.WriteLineAsync($"tessera: {parse.Errors[0].Message} (see --help)");
            return new Outcome(UsageError, configuration);
        }
        // Exceptions reach Program, which says what to fix in one line (a configuration problem) instead of a stack trace.
        var exitCode = await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        return new Outcome(runServer ? null : exitCode, configuration);
    }

    /// <summary>Configuration arguments (for the host) apart from command words and options (for System.CommandLine).</summary>
    internal static (string[] Configuration, string[] Words) Split(string[] args)
    {
        var configuration = new List<string>();
        var words = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            var name = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : null;
            var equals = name?.IndexOf('=', StringComparison.Ordinal) ?? -1;
            var key = equals >= 0 ? name![..equals] : name;
            // Commands' options are lower-case; a capitalized --Key=value is a configuration key as appsettings spells it
            // (a section on its own, like the --Tessera= a configuration dump passes, has an empty value).
            var isConfiguration = key is { Length: > 0 } &&
                                  (key.Contains(':', StringComparison.Ordinal) || HostKeys.Contains(key) || (equals > 0 && char.IsUpper(key[0])));
            if (!isConfiguration)
            {
                words.Add(arg);
                continue;
            }
            configuration.Add(arg);
            if (equals < 0 && i + 1 < args.Length)
            {
                configuration.Add(args[++i]); // --key value
            }
        }
        return ([.. configuration], [.. words]);
    }
}
